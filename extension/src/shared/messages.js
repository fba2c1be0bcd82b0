// The extension's message protocol: every message between its parts is named and typed here,
// and sent only through the functions below (one per message), so a name or a shape lives in one
// place. Receivers dispatch with `listen` (one-off messages) or `portListener` (the page port).
//
// Who talks to whom:
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

/** The name of the port a content script opens to the background. */
export const PAGE_PORT = "unspin-page";

/**
 * @typedef {{start: number, end: number, text: string, score: number, suggestions: ?{text: string, score: number}[]}} Span
 *   A marked passage of a paragraph (server/openapi.json: Span); offsets in UTF-16 units;
 *   suggestions null: not restored yet (shared/suggestions.js)
 * @typedef {Span & {paragraph: number}} PlacedSpan  A span and the index of its paragraph in the document.
 * @typedef {{score: number, spans: Span[]}} ParagraphResult  The server's answer for one paragraph.
 * @typedef {import("./summary.js").Summary} Summary
 * @typedef {{kind: string, message: string, status?: ?number}} Failure
 *   kind: "down" | "timeout" | "error" | "bad-answer" | "not-loopback" | "busy" (still busy after
 *   the retries) | "too-large" (over the server's token limit even after shrinking) | "no-secret"
 *   (the server's secret is unknown here) | "impostor" (what answers at the address does not
 *   know the secret: nothing was sent) | "start-failed" (the browser host could not start it);
 *   status: the HTTP status of an error answer (403: the server refuses this browser, see
 *   allow-origin.js; 401: the secret is wrong)
 * @typedef {{x: number, y: number, width: number, height: number}} Rect  In CSS pixels of the viewport.
 * @typedef {{tag: string, name: string, rect: Rect, ready: boolean}} CardAction
 *   A control of the card: its element name, accessible name, box, and whether a click counts now.
 * @typedef {{open: boolean, by: ?string, role: string, text: string, rect: ?Rect, label: string,
 *   actions: CardAction[], ready: boolean, active: ?string, status: string, colours: object[]}} CardState
 *   by: "hover" | "focus"; ready: its actions would count now (card-guard.js); active: the
 *   accessible name of the control with focus; status: the card's status line; colours: the text
 *   and background colours of its text (contrast.js).
 * @typedef {{visible: boolean, focused: ?string, label: ?string, live: {role: string, ariaLive: string, text: string}, card: CardState}} OverlayState
 *   The hovercard overlay as assistive technology sees it (its shadow root is closed to pages).
 * @typedef {{status: import("./page-status.js").Status,
 *   error?: ?Failure, title?: string, paragraphs?: number, analysed?: number, skipped?: number,
 *   summary?: ?Summary, retryAt?: ?number, dismissed?: string[], overlay?: ?OverlayState, timing?: object,
 *   hostname?: string, url?: string}} PageState
 *   summary: the server's summary of the document sent (null until answered); retryAt (status
 *   "busy"): when the background asks the busy server again (ms since the epoch, Date.now());
 *   dismissed: the wordings of the server's spans that the reader dismissed on this site;
 *   overlay: test builds only (build.mjs --test); hostname and url: the frame that reports.
 * @typedef {{title: string, url: string, paragraphs: {kind: string, text: string, spans: Span[]}[]}} Article
 * @typedef {{ok: boolean, serverUrl: string, health?: object, error?: Failure, canStart: boolean}} ServerStatus
 *   health (ok): the server's GET /api/v1/health answer; error (not ok): why it could not be had;
 *   canStart: the reader allowed the browser host to start the server
 * @typedef {{paragraph: string, start: number, end: number, label: "spun"|"not_spun", original: ?string}} Correction
 *   A reader's card action on one span (UTF-16 offsets within the paragraph's text as sent).
 * @typedef {{sent: boolean, id?: number, reason?: "no-consent"|"failed", message?: string}} CorrectionResult
 *   id (sent): the server's record; reason and message (not sent): why
 * @typedef {{searched: boolean, query?: string, reason?: "nothing-restored"|"failed", message?: string}} FindOriginalResult
 *   query (searched): the exact-phrase query the search engine got; reason (not searched):
 *   nothing of the article is restored yet, or the search API failed (message)
 * @typedef {{url: string, title: string, id: string, overlap: number}} PageSource
 *   The likely source of a page from the reader's scans (server/openapi.json: SourceResponse)
 */

// --- one-off messages ---------------------------------------------------------------------------

/** Content script -> background (and open extension pages): the page's state changed.
 *  @param {PageState} state */
export function sendPageState(state) {
  return browser.runtime.sendMessage({ type: MESSAGES.PAGE_STATE, state }).catch(() => {});
}

/** Popup/options -> background: is the server up? @returns {Promise<ServerStatus>} */
export function requestServerStatus() {
  return browser.runtime.sendMessage({ type: MESSAGES.SERVER_STATUS });
}

/** A message to the content script of tab `tabId`; its answer (null: no content script there).
 *  @template T @param {number} tabId @param {{type: string} & Record<string, unknown>} message @returns {Promise<?T>} */
function toTab(tabId, message) {
  return /** @type {Promise<?T>} */ (browser.tabs.sendMessage(tabId, message).catch(() => null));
}

/** -> content script: @returns {Promise<?PageState>} (null: no content script in the tab) */
export function requestPageState(tabId) {
  return toTab(tabId, { type: MESSAGES.GET_STATE });
}

/** -> content script: @returns {Promise<?Article>} */
export function requestArticle(tabId) {
  return toTab(tabId, { type: MESSAGES.GET_ARTICLE });
}

/** -> content script: drop the marks and ask the server again. */
export function requestRescan(tabId) {
  return toTab(tabId, { type: MESSAGES.RESCAN });
}

/** Popup -> content script: scroll to the index-th mark (reading order), focus it and open its
 *  card. @returns {Promise<?boolean>} whether there was such a mark */
export function requestShowMark(tabId, index) {
  return toTab(tabId, { type: MESSAGES.SHOW_MARK, index });
}

/** Content script -> background: the reader corrected a mark; the background sends it to the
 *  server's feedback store only when the reader agreed to. @param {Correction} correction
 *  @returns {Promise<CorrectionResult>} */
export function sendCorrection(correction) {
  return browser.runtime.sendMessage({ type: MESSAGES.CORRECTION, correction });
}

/** Card, popup or restored view -> background: search the web for the original of the article in
 *  tab `tabId` (the card's content script: its own tab, tabId omitted).
 *  @returns {Promise<FindOriginalResult>} */
export function requestFindOriginal(tabId = null) {
  return browser.runtime.sendMessage({ type: MESSAGES.FIND_ORIGINAL, tabId });
}

/** Card, popup or restored view -> background: the likely source of the page at `url` from the
 *  reader's scans. @returns {Promise<?PageSource>} null: none known */
export function requestPageSource(url) {
  return browser.runtime.sendMessage({ type: MESSAGES.PAGE_SOURCE, url });
}

/** Popup ("Analyse this page") or the analyze-page command -> content script: analyse the page
 *  now (on-demand mode; it also resumes a paused tab). @returns {Promise<?boolean>} */
export function requestAnalyzePage(tabId) {
  return toTab(tabId, { type: MESSAGES.ANALYZE_PAGE });
}

/** Popup -> content script: pause Unspin in the tab (marks removed, nothing sent) until the page
 *  reloads or this resumes it. @returns {Promise<?boolean>} */
export function requestPause(tabId, paused) {
  return toTab(tabId, { type: MESSAGES.SET_PAUSED, paused: !!paused });
}

/** Background -> content script: move keyboard focus to the next (1) or previous (-1) mark
 *  and open its card. @returns {Promise<?boolean>} whether a mark got focus */
export function sendMoveMark(tabId, direction) {
  return toTab(tabId, { type: MESSAGES.MOVE_MARK, direction: direction < 0 ? -1 : 1 });
}

/**
 * A runtime.onMessage listener that calls handlers[type](message, sender) for the named types
 * and stays silent (returns undefined, so another listener may answer) for the rest.
 * @param {Object<string, (message: object, sender: object) => any>} handlers
 */
export function listen(handlers) {
  const listener = (message, sender) => {
    const handler = typeof message?.type === "string" && Object.hasOwn(handlers, message.type) ? handlers[message.type] : null;
    return handler ? handler(message, sender) : undefined;
  };
  browser.runtime.onMessage.addListener(listener);
  return listener;
}

// --- the page port ------------------------------------------------------------------------------

/** Content script: open the page's port to the background. */
export function connectPage() {
  return browser.runtime.connect({ name: PAGE_PORT });
}

/** Content script -> background: analyse this document (paragraph texts in reading order;
 *  `first`: the indices of those the reader sees now, read first). */
export function postAnalyze(port, id, texts, first = []) {
  port.postMessage({ type: MESSAGES.ANALYZE, id, texts, first });
}

/** Content script -> background: the reader points at a mark of document `id` whose
 *  suggestions are not there yet: ask for them before the others. */
export function postSuggest(port, id, paragraph, start, end) {
  port.postMessage({ type: MESSAGES.SUGGEST, id, paragraph, start, end });
}

/** Content script -> background: the page has no document to ask about any more (no article):
 *  drop the one in flight, and give its share of the tab's budget back. */
export function postCancel(port) {
  port.postMessage({ type: MESSAGES.CANCEL });
}

/** Background -> content script: the server is busy (503); document `id` is asked again in
 *  `seconds` (the server's Retry-After), the attempt-th retry. */
export function postBusy(port, id, seconds, attempt) {
  port.postMessage({ type: MESSAGES.BUSY, id, seconds, attempt });
}

/** Background -> content script: no server answered; the browser host is starting it for
 *  document `id` (the answer follows). */
export function postServerStarting(port, id) {
  port.postMessage({ type: MESSAGES.SERVER_STARTING, id });
}

/** Background -> content script: the answer for document `id`.
 *  @param {{results: (?ParagraphResult)[], summary: ?Summary}} answer */
export function postAnswer(port, id, answer) {
  const { results, summary } = answer;
  port.postMessage({ type: MESSAGES.ANSWER, id, results, summary });
}

/** Background -> content script: provisional marks of document `id` (a part the server has
 *  read; the answer decides). @param {PlacedSpan[]} spans */
export function postMarks(port, id, spans) {
  port.postMessage({ type: MESSAGES.MARKS, id, spans });
}

/** Background -> content script: restored marks of document `id` with their suggestions.
 *  @param {PlacedSpan[]} spans */
export function postSuggestions(port, id, spans) {
  port.postMessage({ type: MESSAGES.SUGGESTIONS, id, spans });
}

/** Background -> content script: document `id` could not be analysed. @param {Failure} error */
export function postAnalyzeError(port, id, error) {
  const failure = { kind: error.kind || "error", message: error.message, status: error.status ?? null };
  port.postMessage({ type: MESSAGES.ANALYZE_ERROR, id, error: failure });
}

/**
 * A port.onMessage listener with one handler per message type (unknown types are ignored).
 * @param {{analyze?(msg), cancel?(msg), suggest?(msg), answer?(msg), marks?(msg), suggestions?(msg), error?(msg), busy?(msg), "server-starting"?(msg)}} handlers keyed by wire name
 */
export function portListener(handlers) {
  return (message) => {
    const handler = typeof message?.type === "string" && Object.hasOwn(handlers, message.type) ? handlers[message.type] : null;
    return handler ? handler(message) : undefined;
  };
}
