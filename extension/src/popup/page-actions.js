// The popup's actions on the page's article besides the restored view: the likely source the
// reader's own scans know (shown first, from the local server), "Find the original" (the
// background searches the article's best restored sentence with the reader's search engine in a
// new tab: background/find-original.js) and "Copy report" (shared/report.js: Markdown on the
// clipboard). Test builds also keep the copied report in storage (`testReport`), where the browser
// tests read it. Text goes in with textContent only.
import browser from "webextension-polyfill";
import { requestArticle, requestFindOriginal, requestPageSource } from "../shared/messages.js";
import { STATUS } from "../shared/page-status.js";
import { searchNote } from "../shared/original.js";
import { markdownReport } from "../shared/report.js";
import { $ } from "../shared/controls.js";
import { t } from "../shared/i18n.js";
import { sourceLine } from "../shared/source-link.js";

/** @type {?number | undefined} */
let tabId = null;
/** @type {?import("../shared/message-types.js").PageState} */
let state = null;
/** @type {?string} */
let sourceOf = null; // the address whose source was asked

const say = (/** @type {string} */ text) => ($("action-status").textContent = text);

/** What the reader's scans know of the page at `url`: its likely source, as a link. @param {string} url */
async function showSource(url) {
  const source = await requestPageSource(url).catch(() => null);
  const box = $("page-source");
  box.hidden = !source;
  if (source) box.replaceChildren(...sourceLine(source));
}

/** Follow the page's state (called with every state the popup shows; null: no content script).
 *  @param {?import("../shared/message-types.js").PageState} pageState */
export function showPageActions(pageState) {
  state = pageState;
  const summary = state?.summary;
  const answered = !!summary && state?.status !== STATUS.DISABLED;
  $("copy-report").disabled = !answered;
  $("find-original").disabled = !(answered && summary.spans > 0);
  if (state?.url && state.url !== sourceOf) {
    sourceOf = state.url;
    showSource(state.url);
  }
}

async function findOriginal() {
  say(searchNote(await requestFindOriginal(tabId).catch(() => null)));
}

async function copyReport() {
  const article = await requestArticle(/** @type {number} the popup's tab */ (tabId));
  if (!article || !state?.summary) return say(t("popup_report_no_article"));
  const report = markdownReport(article, state.summary);
  try {
    await navigator.clipboard.writeText(report);
  } catch (error) {
    return say(t("popup_report_failed", /** @type {Error} */ (error).message));
  }
  if (__TEST_BUILD__) await browser.storage.local.set({ testReport: report });
  say(t("popup_report_copied"));
}

/** Wire the actions for the tab's page. @param {?number | undefined} tab */
export function initPageActions(tab) {
  tabId = tab;
  $("find-original").addEventListener("click", findOriginal);
  $("copy-report").addEventListener("click", copyReport);
}
