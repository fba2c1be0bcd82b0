// Toolbar popup: the page verdict, highlight/threshold/site controls, server status,
// restored view. Opened as a page, ?tab=<id> names the tab to describe.
// Every figure and the verdict are the server's summary of the article (never recounted here);
// the popup follows the page's state reports live, so it changes as soon as the page does.
import browser from "webextension-polyfill";
import { listen, MESSAGES, requestPageState, requestRescan, requestServerStatus } from "../shared/messages.js";
import { retrySeconds, STATUS, statusText } from "../shared/page-status.js";
import { getSettings, setSettings } from "../shared/settings.js";
import { initRunControls, showRunControls } from "./run-controls.js";
import { refusedBrowser } from "../shared/allow-origin.js";
import { showServer, showStartCommands } from "./server-status.js";
import { initDismissed, showDismissed } from "./dismissed.js";
import { showMarks } from "./marks-list.js";
import { $ } from "../shared/controls.js";
import { localize, plural, t } from "../shared/i18n.js";
import { initSensitivity, showSensitivity, showSensitivityCounts } from "./sensitivity.js";
import { initPageActions, showPageActions } from "./page-actions.js";
import { summaryFigures, verdictText } from "../shared/summary.js";

localize();

/** @typedef {import("../shared/message-types.js").PageState} PageState */

/** The tab to describe: the page's ?tab=, else the active one (none: no tab). @returns {Promise<number | undefined>} */
async function targetTab() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param) return Number(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

let busyTick = 0;

/** @param {?PageState} state */
function showState(state) {
  clearTimeout(busyTick); // a busy server: the seconds count down until the page reports again
  if (state?.status === STATUS.BUSY) busyTick = setTimeout(() => showState(state), retrySeconds(state) > 1 ? 1000 : 250);
  const box = $("verdict-box");
  if (!state) {
    $("verdict").textContent = t("popup_not_here");
    $("figures").textContent = t("popup_not_here_detail");
    return;
  }
  const s = state.summary; // the server's
  if (s && state.status !== STATUS.DISABLED) {
    box.dataset.verdict = s.verdict;
    $("verdict").textContent = verdictText(s);
    const figures = summaryFigures(s);
    if (state.skipped) figures.push(plural("popup_figures_skipped", state.skipped));
    if (state.status === STATUS.ANALYSING) figures.push(t("popup_figures_analysing"));
    if (state.status === STATUS.BUSY) figures.push(t("popup_figures_busy", retrySeconds(state)));
    $("figures").textContent = figures.join(" · ");
  } else {
    delete box.dataset.verdict;
    $("verdict").textContent = statusText(state);
    $("figures").textContent = state.status === STATUS.ERROR && state.error ? state.error.message : "";
  }
  showRunControls(state);
  showSensitivityCounts(state.status === STATUS.DISABLED ? null : s);
  showPageActions(state);
  const hasText = state.status !== STATUS.DISABLED && (state.paragraphs || 0) > 0 && (state.analysed || 0) > 0;
  $("restored").disabled = !hasText;
}

async function main() {
  const tabId = await targetTab();
  // The page's corrections and marks follow its state too (the toolbar popup closes once a mark
  // is chosen, so the page has the focus).
  const showCorrections = (/** @type {?PageState} */ state) => {
    showDismissed(state);
    showMarks(tabId, !new URLSearchParams(location.search).has("tab"));
  };
  initDismissed();
  const settings = await getSettings();
  $("highlights").checked = settings.highlights;
  showStartCommands();
  initSensitivity();
  showSensitivity(settings.threshold, null);

  /** @type {?import("../shared/message-types.js").ServerStatus} */
  let status = null; // the server's, once known
  /** @type {?PageState} */
  let state = null; // the page's
  // The page reports every change of its state (analysing, answered, disabled): follow it.
  listen({
    [MESSAGES.PAGE_STATE]: (message, sender) => {
      if (tabId != null && sender.tab?.id === tabId) {
        const wasLaunching = state?.status === STATUS.LAUNCHING;
        state = message.state;
        showState(state);
        showCorrections(state);
        showServer(status, state);
        // The browser host has started the server (or failed to): ask it again.
        if (wasLaunching && state.status !== STATUS.LAUNCHING) {
          requestServerStatus().then((now) => {
            status = now;
            showServer(status, state);
          });
        }
      }
    },
  });
  state = tabId != null ? await requestPageState(tabId) : null;
  showState(state);
  showCorrections(state);
  initRunControls(tabId, settings, state);
  initPageActions(tabId);

  status = await requestServerStatus();
  showServer(status, state);
  showSensitivity(settings.threshold, status);
  // The server came back since the page gave up: try the page again (not when it refused this
  // browser: that takes a restart with --allow-origin, then Retry).
  if (status.ok && state?.status === STATUS.ERROR && !refusedBrowser(status, state)) requestRescan(/** @type {number} the page's */ (tabId));

  $("highlights").addEventListener("change", () => setSettings({ highlights: $("highlights").checked }));
  $("retry").addEventListener("click", async () => {
    status = await requestServerStatus();
    showServer(status, state);
    showSensitivity((await getSettings()).threshold, status);
    await requestRescan(/** @type {number} the popup's tab */ (tabId));
  });
  $("restored").addEventListener("click", () => browser.tabs.create({ url: browser.runtime.getURL(`restored.html?tab=${tabId}`) }));
}

main();
