// The page's one document in flight: the whole list of paragraph texts goes to the background on
// the page's port (shared/port-messages.js); only the answer for the current document counts (a
// newer one supersedes it: the background aborts its request; page-document.js applies answers).
// A port that breaks (the background restarted) is opened again and the document sent once more;
// while the server is busy, the document says when it is asked again.
import { t } from "../shared/i18n.js";
import { MESSAGES } from "../shared/messages.js";
import { connectPage, portListener, postAnalyze, postCancel, postSuggest } from "../shared/port-messages.js";
import { newDocument, takeAnswer, takeMarks, takeSuggestions } from "./page-document.js";

/** @typedef {import("./page-document.js").PageDocument} PageDocument */

/**
 * The page's document and its port (session.js).
 * @typedef {object} PagePort
 * @property {?PageDocument} current  the document last sent (null: none)
 * @property {(texts: string[], first?: number[]) => void} send  send these paragraph texts as the
 *   page's document (superseding the one in flight); `first`: the indices of those the reader sees now
 * @property {(index: number, start: number, end: number) => void} suggest  the reader points at a
 *   mark (paragraph `index` of the document) still without suggestions: ask for it first
 * @property {() => void} forget  the page has no document to ask about any more: the one in
 *   flight is dropped
 */

/**
 * @param {AbortSignal} signal  disconnects the port
 * @param {{onAnswer(): void, onChange(): void}} handlers  onAnswer: the current document's marks
 *   changed (provisional marks, the answer, suggestions; before onChange); onChange: its state
 *   changed (answered, failed, busy, retried)
 * @returns {PagePort}
 */
export function init(signal, { onAnswer, onChange }) {
  /** @type {?PageDocument} */
  let doc = null;
  /** @type {?import("../shared/port-messages.js").Port} */
  let port = null;
  let nextId = 0;
  let busyTimer = 0;

  function connect() {
    if (port) return port;
    port = connectPage();
    port.onMessage.addListener(
      portListener({
        [MESSAGES.ANSWER]: (message) => update(message, (doc) => takeAnswer(doc, message) && onAnswer()),
        [MESSAGES.MARKS]: marked(takeMarks), // provisional, until the answer
        [MESSAGES.SUGGESTIONS]: marked(takeSuggestions),
        // quiet on the page; the popup shows it
        [MESSAGES.ANALYZE_ERROR]: (message) => update(message, (doc) => (doc.error = message.error)),
        [MESSAGES.BUSY]: busy,
        [MESSAGES.SERVER_STARTING]: (message) => update(message, (doc) => (doc.launching = true)),
      }),
    );
    port.onDisconnect.addListener(disconnected);
    return port;
  }

  /** Ask for `doc` (again). @param {PageDocument} doc */
  function post(doc) {
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
    if (doc.tries < 2) post(doc);
    else doc.error = { kind: "error", message: t("error_background_stopped") };
    onChange();
  }

  /** The current document when `message` is about it, else null (a superseded document's).
   *  @param {{id: number}} message */
  const current = (message) => (doc && message.id === doc.id ? doc : null);

  /** `change` the current document when `message` is about it, and say so.
   *  @param {{id: number}} message @param {(doc: PageDocument) => unknown} change */
  function update(message, change) {
    const doc = current(message);
    if (!doc) return;
    change(doc);
    onChange();
  }

  /** A handler of marks for the current document (`take` applies them).
   *  @param {(doc: PageDocument, spans: unknown) => boolean} take
   *  @returns {(message: {id: number, spans: unknown}) => void} */
  const marked = (take) => (message) => {
    const doc = current(message);
    if (!doc || !take(doc, message.spans)) return;
    onAnswer();
    onChange();
  };

  /** @param {import("../shared/message-types.js").BusyMessage} message */
  function busy(message) {
    const doc = current(message);
    if (!doc || !(message.seconds > 0)) return;
    doc.retryAt = Date.now() + message.seconds * 1000;
    onChange();
    clearTimeout(busyTimer);
    busyTimer = window.setTimeout(onChange, message.seconds * 1000); // analysing again as it asks again
  }

  signal.addEventListener("abort", () => {
    clearTimeout(busyTimer);
    doc = null;
    port?.disconnect();
    port = null;
  });

  return {
    get current() {
      return doc;
    },
    send(texts, first = []) {
      doc = newDocument(++nextId, texts, first);
      if (texts.length) post(doc);
      else doc.answer = { results: [], summary: null }; // every paragraph is over the budget
    },
    suggest(index, start, end) {
      if (!doc?.answer || !port) return;
      try {
        postSuggest(port, doc.id, index, start, end);
      } catch {
        port = null; // the background restarted: the page's next document asks again
      }
    },
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
