// The page's one document in flight: the whole list of paragraph texts goes to the background on
// the page's port (shared/messages.js), and only the answer for the current document counts: a
// newer document supersedes one in flight (the background aborts its request), whose answer is
// then ignored. A port that breaks (the background restarted) is opened again and the document
// sent once more; while the server is busy, the document says when it is asked again.
import { connectPage, MESSAGES, portListener, postAnalyze, postCancel, postSuggest } from "../shared/messages.js";
import { t } from "../shared/i18n.js";
import { placeSpans } from "../shared/suggestions.js";

/**
 * @typedef {{id: number, texts: string[], first: number[], answer: ?{results: object[], summary: ?object},
 *   marks: ?{results: object[]}, error: ?import("../shared/messages.js").Failure, tries: number,
 *   retryAt: number, launching: boolean}} PageDocument
 *   texts: the paragraphs sent, in reading order (results in the same order); first: the indices
 *   of those the reader saw (read first); marks: the provisional marks of the parts read so far,
 *   until the answer; retryAt: when the background asks a busy server again (ms since the epoch;
 *   0: not busy); launching: the browser host is starting the server for it
 */

/**
 * @param {AbortSignal} signal  disconnects the port
 * @param {{onAnswer(): void, onChange(): void}} handlers  onAnswer: the current document's marks
 *   changed (provisional marks, the answer, suggestions; before onChange); onChange: its state
 *   changed (answered, failed, busy, retried)
 */
export function init(signal, { onAnswer, onChange }) {
  /** @type {?PageDocument} */
  let doc = null;
  let port = null;
  let nextId = 0;
  let busyTimer = 0;

  function connect() {
    if (port) return port;
    port = connectPage();
    port.onMessage.addListener(
      portListener({
        [MESSAGES.ANSWER]: answered,
        [MESSAGES.MARKS]: provisional,
        [MESSAGES.SUGGESTIONS]: restored,
        [MESSAGES.ANALYZE_ERROR]: failed,
        [MESSAGES.BUSY]: busy,
        [MESSAGES.SERVER_STARTING]: launching,
      }),
    );
    port.onDisconnect.addListener(disconnected);
    return port;
  }

  /** Ask for the current document (again). */
  function post() {
    doc.tries += 1;
    try {
      postAnalyze(connect(), doc.id, doc.texts, doc.first);
    } catch {
      port = null; // the background restarted; one more try on a fresh port
      try {
        postAnalyze(connect(), doc.id, doc.texts, doc.first);
      } catch {
        port = null; // the extension was reloaded or updated: this copy cannot reach it any more
        doc.error = { kind: "error", message: t("error_extension_reloaded") };
      }
    }
  }

  function disconnected() {
    port = null;
    if (signal.aborted || !doc || doc.answer || doc.error) return;
    // The background stopped while the document was in flight: ask once more on a fresh port.
    if (doc.tries < 2) post();
    else doc.error = { kind: "error", message: t("error_background_stopped") };
    onChange();
  }

  const current = (message) => doc && message.id === doc.id; // else: for a superseded document

  function answered(message) {
    if (!current(message)) return;
    if (Array.isArray(message.results) && message.results.length === doc.texts.length) {
      doc.answer = { results: message.results, summary: message.summary };
      doc.marks = null; // the answer decides
      doc.error = null;
      onAnswer();
    } else {
      doc.error = { kind: "bad-answer", message: t("error_answer_mismatch") };
    }
    onChange();
  }

  /** Provisional marks of a part the server read: shown until the answer (which decides). */
  function provisional(message) {
    if (!current(message) || doc.answer || !Array.isArray(message.spans)) return;
    doc.marks ??= { results: doc.texts.map(() => ({ score: 0, spans: [] })) };
    const placed = message.spans.filter((s) => Number.isInteger(s?.paragraph) && s.paragraph >= 0 && s.paragraph < doc.texts.length);
    for (const p of new Set(placed.map((s) => s.paragraph))) doc.marks.results[p] = { ...doc.marks.results[p] }; // changed: a new result
    placeSpans(doc.marks.results, placed);
    onAnswer();
    onChange();
  }

  /** Suggestions of some marks of the answer. */
  function restored(message) {
    if (!current(message) || !doc.answer || !Array.isArray(message.spans)) return;
    const placed = message.spans.filter((s) => Number.isInteger(s?.paragraph) && doc.answer.results[s.paragraph]);
    for (const p of new Set(placed.map((s) => s.paragraph))) doc.answer.results[p] = { ...doc.answer.results[p] };
    placeSpans(doc.answer.results, placed);
    onAnswer();
    onChange();
  }

  function failed(message) {
    if (!current(message)) return;
    doc.error = message.error; // quiet on the page; the popup shows it
    onChange();
  }

  function busy(message) {
    if (!current(message) || !(message.seconds > 0)) return;
    doc.retryAt = Date.now() + message.seconds * 1000;
    onChange();
    clearTimeout(busyTimer);
    busyTimer = setTimeout(onChange, message.seconds * 1000); // analysing again as it asks again
  }

  function launching(message) {
    if (!current(message)) return;
    doc.launching = true;
    onChange();
  }

  signal.addEventListener("abort", () => {
    clearTimeout(busyTimer);
    doc = null;
    port?.disconnect();
    port = null;
  });

  return {
    /** The document last sent (null: none). */
    get current() {
      return doc;
    },
    /** Send these paragraph texts as the page's document (superseding the one in flight);
     *  `first`: the indices of those the reader sees now. */
    send(texts, first = []) {
      doc = { id: ++nextId, texts, first, answer: null, marks: null, error: null, tries: 0, retryAt: 0, launching: false };
      if (texts.length) post();
      else doc.answer = { results: [], summary: null }; // every paragraph is over the budget
    },
    /** The reader points at a mark (paragraph `index` of the document) still without
     *  suggestions: ask for it first. */
    suggest(index, start, end) {
      if (!doc?.answer || !port) return;
      try {
        postSuggest(port, doc.id, index, start, end);
      } catch {
        port = null; // the background restarted: the page's next document asks again
      }
    },
    /** The page has no document to ask about any more: the one in flight is dropped. */
    forget() {
      try {
        if (doc && !doc.answer && !doc.error && port) postCancel(port);
      } catch {
        port = null; // the background restarted: nothing of this page is in flight there
      }
      doc = null;
    },
  };
}
