// The page's document in flight and what the background's answers do to it (page-port.js carries
// them): the answer, the provisional marks of the parts read before it, and the suggestions of
// its marks that follow. Each applies only to the current document (a newer one supersedes it).
import { t } from "../shared/i18n.js";
import { placeSpans } from "../shared/suggestions.js";

/** @typedef {import("../shared/message-types.js").ParagraphResult} ParagraphResult */
/** @typedef {import("../shared/message-types.js").PlacedSpan} PlacedSpan */

/**
 * @typedef {object} PageDocument
 * @property {number} id
 * @property {string[]} texts  the paragraphs sent, in reading order (results in the same order)
 * @property {number[]} first  the indices of those the reader saw (read first)
 * @property {?{results: (?ParagraphResult)[], summary: ?import("../shared/summary.js").Summary}} answer
 * @property {?{results: ParagraphResult[]}} marks  the provisional marks of the parts read so far,
 *   until the answer
 * @property {?import("../shared/message-types.js").Failure} error
 * @property {number} tries
 * @property {number} retryAt  when the background asks a busy server again (ms since the epoch;
 *   0: not busy)
 * @property {boolean} launching  the browser host is starting the server for it
 */

/** A new document of these texts. @param {number} id @param {string[]} texts @param {number[]} first
 *  @returns {PageDocument} */
export function newDocument(id, texts, first) {
  return { id, texts, first, answer: null, marks: null, error: null, tries: 0, retryAt: 0, launching: false };
}

/** The answer came: it decides (true), or it does not fit the document (an error, false).
 *  @param {PageDocument} doc @param {import("../shared/message-types.js").AnswerMessage} message */
export function takeAnswer(doc, message) {
  if (Array.isArray(message.results) && message.results.length === doc.texts.length) {
    doc.answer = { results: message.results, summary: message.summary };
    doc.marks = null; // the answer decides
    doc.error = null;
    return true;
  }
  doc.error = { kind: "bad-answer", message: t("error_answer_mismatch") };
  return false;
}

/** The paragraphs `spans` name get them (each paragraph's result replaced: a new result).
 *  @param {(?ParagraphResult)[]} results @param {PlacedSpan[]} spans */
function place(results, spans) {
  for (const p of new Set(spans.map((s) => s.paragraph))) results[p] = { .../** @type {ParagraphResult} */ (results[p]) };
  placeSpans(results, spans);
}

/** Provisional marks of a part the server read: shown until the answer (which decides).
 *  @param {PageDocument} doc @param {unknown} spans @returns {boolean} whether they apply */
export function takeMarks(doc, spans) {
  if (doc.answer || !Array.isArray(spans)) return false;
  doc.marks ??= { results: doc.texts.map(() => ({ score: 0, spans: [] })) };
  /** @type {PlacedSpan[]} */
  const placed = spans.filter((s) => Number.isInteger(s?.paragraph) && s.paragraph >= 0 && s.paragraph < doc.texts.length);
  place(doc.marks.results, placed);
  return true;
}

/** Suggestions of some marks of the answer. @param {PageDocument} doc @param {unknown} spans
 *  @returns {boolean} whether they apply */
export function takeSuggestions(doc, spans) {
  const answer = doc.answer;
  if (!answer || !Array.isArray(spans)) return false;
  /** @type {PlacedSpan[]} */
  const placed = spans.filter((s) => Number.isInteger(s?.paragraph) && answer.results[s.paragraph]);
  place(answer.results, placed);
  return true;
}
