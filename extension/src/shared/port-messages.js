// The page port: the one long-lived channel between a page's content script and the background
// (one document in flight and its answer, content/page-port.js; background/page-ports.js). Every
// message on it is named (MESSAGES) and typed (message-types.js: PortMessages) and sent only
// through the functions below; receivers dispatch with `portListener`.
import browser from "webextension-polyfill";
import { MESSAGES } from "./messages.js";

/** @typedef {import("webextension-polyfill").Runtime.Port} Port */
/** @typedef {import("./message-types.js").PortMessages} PortMessages */
/** @typedef {import("./message-types.js").PlacedSpan} PlacedSpan */

/** The name of the port a content script opens to the background. */
export const PAGE_PORT = "unspin-page";


/** Content script: open the page's port to the background. @returns {Port} */
export function connectPage() {
  return browser.runtime.connect({ name: PAGE_PORT });
}

/** Content script -> background: analyse this document (paragraph texts in reading order;
 *  `first`: the indices of those the reader sees now, read first).
 *  @param {Port} port @param {number} id @param {string[]} texts @param {number[]} [first] */
export function postAnalyze(port, id, texts, first = []) {
  port.postMessage({ type: MESSAGES.ANALYZE, id, texts, first });
}

/** Content script -> background: the reader points at a mark of document `id` whose
 *  suggestions are not there yet: ask for them before the others.
 *  @param {Port} port @param {number} id @param {number} paragraph @param {number} start @param {number} end */
export function postSuggest(port, id, paragraph, start, end) {
  port.postMessage({ type: MESSAGES.SUGGEST, id, paragraph, start, end });
}

/** Content script -> background: the page has no document to ask about any more (no article):
 *  drop the one in flight, and give its share of the tab's budget back. @param {Port} port */
export function postCancel(port) {
  port.postMessage({ type: MESSAGES.CANCEL });
}

/** Background -> content script: the server is busy (503); document `id` is asked again in
 *  `seconds` (the server's Retry-After), the attempt-th retry.
 *  @param {Port} port @param {number} id @param {number} seconds @param {number} attempt */
export function postBusy(port, id, seconds, attempt) {
  port.postMessage({ type: MESSAGES.BUSY, id, seconds, attempt });
}

/** Background -> content script: no server answered; the browser host is starting it for
 *  document `id` (the answer follows). @param {Port} port @param {number} id */
export function postServerStarting(port, id) {
  port.postMessage({ type: MESSAGES.SERVER_STARTING, id });
}

/** Background -> content script: the answer for document `id`.
 *  @param {Port} port @param {number} id
 *  @param {{results: (?import("./message-types.js").ParagraphResult)[], summary: ?import("./message-types.js").Summary}} answer */
export function postAnswer(port, id, answer) {
  const { results, summary } = answer;
  port.postMessage({ type: MESSAGES.ANSWER, id, results, summary });
}

/** Background -> content script: provisional marks of document `id` (a part the server has
 *  read; the answer decides). @param {Port} port @param {number} id @param {PlacedSpan[]} spans */
export function postMarks(port, id, spans) {
  port.postMessage({ type: MESSAGES.MARKS, id, spans });
}

/** Background -> content script: restored marks of document `id` with their suggestions.
 *  @param {Port} port @param {number} id @param {PlacedSpan[]} spans */
export function postSuggestions(port, id, spans) {
  port.postMessage({ type: MESSAGES.SUGGESTIONS, id, spans });
}

/** Background -> content script: document `id` could not be analysed.
 *  @param {Port} port @param {number} id @param {{kind?: string, message: string, status?: ?number}} error */
export function postAnalyzeError(port, id, error) {
  const failure = { kind: error.kind || "error", message: error.message, status: error.status ?? null };
  port.postMessage({ type: MESSAGES.ANALYZE_ERROR, id, error: failure });
}

/**
 * A port.onMessage listener with one handler per message type (unknown types are ignored).
 * @param {import("./message-types.js").Handlers<PortMessages, never>} handlers keyed by wire name
 * @returns {(message: any) => unknown}
 */
export function portListener(handlers) {
  return (message) => {
    const type = message?.type;
    const handler = typeof type === "string" && Object.hasOwn(handlers, type) ? handlers[/** @type {keyof PortMessages} */ (type)] : null;
    return handler ? /** @type {(message: unknown) => unknown} */ (handler)(message) : undefined;
  };
}
