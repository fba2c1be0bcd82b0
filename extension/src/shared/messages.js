// The extension's message protocol: every message between its parts is named and typed here,
// and sent only through the functions below (one per message), so a name or a shape lives in one
// place. Receivers dispatch with `listen` (one-off messages) or `portListener` (the page port).
//
// Their shapes: message-types.js; the page port's messages: port-messages.js. Who talks to whom:
//   content script  -> background  PAGE_STATE (runtime message), ANALYZE / CANCEL / SUGGEST (on
//                                  the page port)
//   background      -> content     MARKS (provisional, per part read) / ANSWER / SUGGESTIONS /
//                                  ANALYZE_ERROR / BUSY / SERVER_STARTING (on the page port), MOVE_MARK
//   popup, options  -> background  SERVER_STATUS
//   popup, restored -> content     GET_STATE, GET_ARTICLE, RESCAN
//   popup           -> content     SET_PAUSED
//   popup, background (command) -> content  ANALYZE_PAGE
//   popup           -> content     SHOW_MARK
//   content script  -> background  CORRECTION (a card action, sent on only with consent)
//   content, popup, restored -> background  FIND_ORIGINAL (the reader asks to search the web),
//                                  PAGE_SOURCE (the likely source the reader's scans know)
// A content script's PAGE_STATE also reaches open extension pages (the popup follows it live).
import browser from "webextension-polyfill";

/** Wire names (the `type` field). */
export const MESSAGES = Object.freeze({
  PAGE_STATE: "page-state",
  SERVER_STATUS: "server-status",
  GET_STATE: "get-state",
  GET_ARTICLE: "get-article",
  RESCAN: "rescan",
  ANALYZE_PAGE: "analyze-page",
  SET_PAUSED: "set-paused",
  MOVE_MARK: "move-mark",
  ANALYZE: "analyze",
  ANSWER: "answer",
  MARKS: "marks",
  SUGGEST: "suggest",
  SUGGESTIONS: "suggestions",
  ANALYZE_ERROR: "error",
  BUSY: "busy",
  SERVER_STARTING: "server-starting",
  CANCEL: "cancel",
  SHOW_MARK: "show-mark",
  CORRECTION: "correction",
  FIND_ORIGINAL: "find-original",
  PAGE_SOURCE: "page-source",
});

/** @typedef {import("./message-types.js").PageState} PageState */
/** @typedef {import("./message-types.js").RuntimeMessages} RuntimeMessages */
/** @typedef {import("webextension-polyfill").Runtime.MessageSender} MessageSender */

// --- one-off messages ---------------------------------------------------------------------------

/** Content script -> background (and open extension pages): the page's state changed.
 *  @param {PageState} state */
export function sendPageState(state) {
  return browser.runtime.sendMessage({ type: MESSAGES.PAGE_STATE, state }).catch(() => {});
}

/** Popup/options -> background: is the server up?
 *  @returns {Promise<import("./message-types.js").ServerStatus>} */
export function requestServerStatus() {
  return browser.runtime.sendMessage({ type: MESSAGES.SERVER_STATUS });
}

/** A message to the content script of tab `tabId`; its answer (null: no content script there).
 *  @template T @param {number} tabId @param {RuntimeMessages[keyof RuntimeMessages]} message
 *  @returns {Promise<?T>} */
function toTab(tabId, message) {
  return /** @type {Promise<?T>} */ (browser.tabs.sendMessage(tabId, message).catch(() => null));
}

/** -> content script: (null: no content script in the tab) @param {number} tabId
 *  @returns {Promise<?PageState>} */
export function requestPageState(tabId) {
  return toTab(tabId, { type: MESSAGES.GET_STATE });
}

/** -> content script: @param {number} tabId @returns {Promise<?import("./message-types.js").Article>} */
export function requestArticle(tabId) {
  return toTab(tabId, { type: MESSAGES.GET_ARTICLE });
}

/** -> content script: drop the marks and ask the server again. @param {number} tabId */
export function requestRescan(tabId) {
  return toTab(tabId, { type: MESSAGES.RESCAN });
}

/** Popup -> content script: scroll to the index-th mark (reading order), focus it and open its
 *  card. @param {number} tabId @param {number} index
 *  @returns {Promise<?boolean>} whether there was such a mark */
export function requestShowMark(tabId, index) {
  return toTab(tabId, { type: MESSAGES.SHOW_MARK, index });
}

/** Content script -> background: the reader corrected a mark; the background sends it to the
 *  server's feedback store only when the reader agreed to.
 *  @param {import("./message-types.js").Correction} correction
 *  @returns {Promise<import("./message-types.js").CorrectionResult>} */
export function sendCorrection(correction) {
  return browser.runtime.sendMessage({ type: MESSAGES.CORRECTION, correction });
}

/** Card, popup or restored view -> background: search the web for the original of the article in
 *  tab `tabId` (the card's content script: its own tab, tabId omitted).
 *  @param {?number} [tabId] @returns {Promise<import("./message-types.js").FindOriginalResult>} */
export function requestFindOriginal(tabId = null) {
  return browser.runtime.sendMessage({ type: MESSAGES.FIND_ORIGINAL, tabId });
}

/** Card, popup or restored view -> background: the likely source of the page at `url` from the
 *  reader's scans. @param {string} url
 *  @returns {Promise<?import("./message-types.js").PageSource>} null: none known */
export function requestPageSource(url) {
  return browser.runtime.sendMessage({ type: MESSAGES.PAGE_SOURCE, url });
}

/** Popup ("Analyse this page") or the analyze-page command -> content script: analyse the page
 *  now (on-demand mode; it also resumes a paused tab). @param {number} tabId @returns {Promise<?boolean>} */
export function requestAnalyzePage(tabId) {
  return toTab(tabId, { type: MESSAGES.ANALYZE_PAGE });
}

/** Popup -> content script: pause Unspin in the tab (marks removed, nothing sent) until the page
 *  reloads or this resumes it. @param {number} tabId @param {boolean} paused @returns {Promise<?boolean>} */
export function requestPause(tabId, paused) {
  return toTab(tabId, { type: MESSAGES.SET_PAUSED, paused: !!paused });
}

/** Background -> content script: move keyboard focus to the next (1) or previous (-1) mark
 *  and open its card. @param {number} tabId @param {number} direction
 *  @returns {Promise<?boolean>} whether a mark got focus */
export function sendMoveMark(tabId, direction) {
  return toTab(tabId, { type: MESSAGES.MOVE_MARK, direction: direction < 0 ? -1 : 1 });
}

/**
 * A runtime.onMessage listener that calls handlers[type](message, sender) for the named types
 * and stays silent (returns undefined, so another listener may answer) for the rest.
 * @param {import("./message-types.js").Handlers<RuntimeMessages, MessageSender>} handlers
 */
export function listen(handlers) {
  /** @param {import("./message-types.js").Unchecked} message @param {MessageSender} sender */
  const listener = (message, sender) => {
    const type = message?.type;
    const handler = typeof type === "string" && Object.hasOwn(handlers, type) ? handlers[/** @type {keyof RuntimeMessages} */ (type)] : null;
    return handler ? /** @type {(message: unknown, sender: MessageSender) => unknown} */ (handler)(message, sender) : undefined;
  };
  browser.runtime.onMessage.addListener(listener);
  return listener;
}
