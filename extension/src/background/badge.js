// Toolbar badge: the number of spun spans on the tab's page, coloured by the verdict.
import browser from "webextension-polyfill";

export const tabState = new Map(); // tabId -> page state reported by the content script

const COLOURS = { "likely spun": "#c92a2a", "possibly spun": "#e8590c", "no sign of spinning": "#2b8a3e" };

export async function setPageState(tabId, url, state) {
  tabState.set(tabId, { ...state, url }); // the tab's address (the state may be a child frame's)
  const action = browser.action || browser.browserAction;
  const done = state.status === "done" && state.summary;
  const text = done ? String(state.summary.spans) : "";
  let title = "Unspin";
  if (done) title = `Unspin: ${state.summary.verdict} (${state.summary.spans} spans)`;
  else if (state.status === "error") title = "Unspin: the server is not reachable (open for details)";
  else if (state.status === "disabled") title = "Unspin: off on this site";
  else if (state.status === "too-long") title = "Unspin: the article is too long to analyse";
  await Promise.all([
    action.setBadgeText({ tabId, text }),
    done && action.setBadgeBackgroundColor({ tabId, color: COLOURS[state.summary.verdict] || "#495057" }),
    action.setTitle({ tabId, title }),
  ]).catch(() => {}); // the tab may be gone already
}

export function forgetTab(tabId) {
  tabState.delete(tabId);
}
