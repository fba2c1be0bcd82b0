// The page's one document in flight: the whole list of paragraph texts goes to the background on
// the page's port (shared/messages.js), and only the answer for the current document counts: a
// newer document supersedes one in flight (the background aborts its request), whose answer is
// then ignored. A port that breaks (the background restarted) is opened again and the document
// sent once more; while the server is busy, the document says when it is asked again.
import { connectPage, MESSAGES, portListener, postAnalyze, postCancel } from "../shared/messages.js";

/**
 * @typedef {{id: number, texts: string[], answer: ?{results: object[], summary: ?object},
 *   error: ?import("../shared/messages.js").Failure, tries: number, retryAt: number, launching: boolean}} PageDocument
 *   texts: the paragraphs sent, in reading order (results in the same order); retryAt: when the
 *   background asks a busy server again (ms since the epoch; 0: not busy); launching: the browser
 *   host is starting the server for it
 */

/**
 * @param {AbortSignal} signal  disconnects the port
 * @param {{onAnswer(): void, onChange(): void}} handlers  onAnswer: the current document was
 *   answered (before onChange); onChange: its state changed (answered, failed, busy, retried)
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
      portListener({ [MESSAGES.ANSWER]: answered, [MESSAGES.ANALYZE_ERROR]: failed, [MESSAGES.BUSY]: busy, [MESSAGES.SERVER_STARTING]: launching }),
    );
    port.onDisconnect.addListener(disconnected);
    return port;
  }

  /** Ask for the current document (again). */
  function post() {
    doc.tries += 1;
    try {
      postAnalyze(connect(), doc.id, doc.texts);
    } catch {
      port = null; // the background restarted; one more try on a fresh port
      try {
        postAnalyze(connect(), doc.id, doc.texts);
      } catch {
        port = null; // the extension was reloaded or updated: this copy cannot reach it any more
        doc.error = { kind: "error", message: "Unspin was updated or reloaded: reload the page" };
      }
    }
  }

  function disconnected() {
    port = null;
    if (signal.aborted || !doc || doc.answer || doc.error) return;
    // The background stopped while the document was in flight: ask once more on a fresh port.
    if (doc.tries < 2) post();
    else doc.error = { kind: "error", message: "The extension's background stopped before answering" };
    onChange();
  }

  const current = (message) => doc && message.id === doc.id; // else: for a superseded document

  function answered(message) {
    if (!current(message)) return;
    if (Array.isArray(message.results) && message.results.length === doc.texts.length) {
      doc.answer = { results: message.results, summary: message.summary };
      doc.error = null;
      onAnswer();
    } else {
      doc.error = { kind: "bad-answer", message: "The answer does not match the article" };
    }
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
    /** Send these paragraph texts as the page's document (superseding the one in flight). */
    send(texts) {
      doc = { id: ++nextId, texts, answer: null, error: null, tries: 0, retryAt: 0, launching: false };
      if (texts.length) post();
      else doc.answer = { results: [], summary: null }; // every paragraph is over the budget
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
