// Toolbar badge: the number of spun spans on the tab's page, coloured by the verdict.
import browser from "webextension-polyfill";
import { buttonTitle, STATUS } from "../shared/page-status.js";
import { lookOf } from "../shared/verdicts.js";

/** @typedef {import("../shared/message-types.js").PageState} PageState */

/** @type {Map<number, PageState>} */
export const tabState = new Map(); // tabId -> page state reported by the content script

/** A content script reported its page's state: the tab's badge and title follow it.
 *  @param {number} tabId @param {string | undefined} url  the tab's address @param {PageState} state */
export async function setPageState(tabId, url, state) {
  tabState.set(tabId, { ...state, url }); // the tab's address (the state may be a child frame's)
  const action = browser.action || browser.browserAction;
  const done = state.status === STATUS.DONE && state.summary;
  const text = done ? String(done.spans) : "";
  await Promise.all([
    action.setBadgeText({ tabId, text }),
    done && action.setBadgeBackgroundColor({ tabId, color: lookOf(done.verdict)?.colour ?? "#495057" }),
    action.setTitle({ tabId, title: buttonTitle(state) }),
  ]).catch(() => {}); // the tab may be gone already
}

/** The tab closed. @param {number} tabId */
export function forgetTab(tabId) {
  tabState.delete(tabId);
}
