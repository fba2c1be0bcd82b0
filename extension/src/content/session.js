// The page's article and its marks. The server decides per article (a paragraph's marks depend
// on the whole article), so whenever the paragraph list changes (first scan, paragraphs added,
// removed or changed, a settings change) the WHOLE list of paragraph texts (within the page's
// budget, shared/document.js; the background cuts it to the tab's share) goes to the background
// as one document, and only the answer for the current document is applied: a newer document
// supersedes one in flight (the background aborts its request), whose answer is then ignored.
// While the server is busy, the state says so until the background asks again. An answer re-applies the
// marks of every paragraph (a paragraph keeps its marks only when the new answer gives it the
// same spans). Also keeps marks in step with the page and reports the page state.
import { sameTexts, withinBudget } from "../shared/document.js";
import { connectPage, MESSAGES, portListener, postAnalyze, postCancel } from "../shared/messages.js";
import { STATUS } from "../shared/page-status.js";
import { extractArticle } from "./extract.js";
import { levelOf } from "./highlighter.js";
import { spanToPositions } from "./text-map.js";

function sameNodes(a, b) {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}

function sameSpans(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function measure(name, fn) {
  performance.mark(`${name}-start`);
  try {
    return fn();
  } finally {
    performance.measure(name, `${name}-start`);
  }
}

/**
 * @param {{highlighter, hovercard, report(state), hides?(text): boolean}} features (hovercard may
 *   be null; hides: a wording the reader dismissed on this site, never marked, see dismissals.js)
 */
export function init(signal, { highlighter, hovercard, report, hides = () => false }) {
  let records = []; // paragraphs in reading order: {kind, nodes, snapshot, map, text, result, marks}
  let title = "";
  // The document last sent: {id, texts, answer: {results, summary} | null, error, tries,
  // retryAt: when the background asks a busy server again (0: not busy)}; texts: the paragraphs
  // within the budget, results in the same order.
  let doc = null;
  let summary = null; // the server's Summary for the answer whose marks are shown
  let port = null;
  let nextId = 0;
  const timing = { extractMs: 0, highlightMs: 0, highlightRuns: 0 };

  // --- talking to the background ------------------------------------------------------------
  function connect() {
    if (port) return port;
    port = connectPage();
    port.onMessage.addListener(portListener({ [MESSAGES.ANSWER]: onAnswer, [MESSAGES.ANALYZE_ERROR]: onError, [MESSAGES.BUSY]: onBusy }));
    port.onDisconnect.addListener(onDisconnect);
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

  function send(texts) {
    doc = { id: ++nextId, texts, answer: null, error: null, tries: 0, retryAt: 0 };
    if (texts.length) post();
    else doc.answer = { results: [], summary: null }; // every paragraph is over the budget
  }

  /** The records that make the document, in its order. */
  function budgeted() {
    return withinBudget(records.map((r) => r.text)).map((i) => records[i]);
  }

  function onDisconnect() {
    port = null;
    if (signal.aborted || !doc || doc.answer || doc.error) return;
    // The background stopped while the document was in flight: ask once more on a fresh port.
    if (doc.tries < 2) post();
    else doc.error = { kind: "error", message: "The extension's background stopped before answering" };
    changed();
  }

  const current = (message) => doc && message.id === doc.id; // else: for a superseded document

  function onAnswer(message) {
    if (!current(message)) return;
    if (Array.isArray(message.results) && message.results.length === doc.texts.length) {
      doc.answer = { results: message.results, summary: message.summary };
      doc.error = null;
      apply();
    } else {
      doc.error = { kind: "bad-answer", message: "The answer does not match the article" };
    }
    changed();
  }

  function onError(message) {
    if (!current(message)) return;
    doc.error = message.error; // quiet on the page; the popup shows it
    changed();
  }

  let busyTimer = 0;
  function onBusy(message) {
    if (!current(message) || !(message.seconds > 0)) return;
    doc.retryAt = Date.now() + message.seconds * 1000;
    changed();
    clearTimeout(busyTimer);
    busyTimer = setTimeout(changed, message.seconds * 1000); // analysing again as it asks again
  }

  /** The page has no document to ask about any more: the one in flight is dropped. */
  function forget() {
    try {
      if (doc && !doc.answer && !doc.error && port) postCancel(port);
    } catch {
      port = null; // the background restarted: nothing of this page is in flight there
    }
    doc = null;
  }

  // --- marks ------------------------------------------------------------------------------------
  function marksFor(record) {
    const marks = [];
    for (const span of record.result.spans) {
      if (record.text.slice(span.start, span.end) !== span.text) continue; // not our text: skip
      if (hides(span.text)) continue; // dismissed by the reader
      const pos = spanToPositions(record.map, span.start, span.end);
      if (!pos) continue;
      const range = document.createRange();
      range.setStart(record.nodes[pos.startPiece], pos.startOffset);
      range.setEnd(record.nodes[pos.endPiece], pos.endOffset);
      const nodes = record.nodes.slice(pos.startPiece, pos.endPiece + 1);
      marks.push({ range, nodes, span, record, level: levelOf(span.score) });
    }
    return marks;
  }

  /** Every paragraph's marks from the current document's answer. Only while the paragraphs are
   *  still that document's: when the page moved on, the next scan sends a new document. */
  function apply() {
    const inDocument = budgeted();
    if (!doc?.answer || !sameTexts(doc.texts, inDocument.map((r) => r.text))) return;
    const resultOf = new Map(inDocument.map((record, k) => [record, doc.answer.results[k]]));
    const gone = [];
    const fresh = [];
    const start = performance.now();
    measure("unspin-highlight", () => {
      records.forEach((record) => {
        const result = resultOf.get(record) ?? null; // null: over the page's text budget, not analysed
        if (record.result === result) return;
        if (record.marks && result && sameSpans(record.result.spans, result.spans)) {
          record.result = result; // same spans: the marks stay
          return;
        }
        if (record.marks) gone.push(...record.marks);
        record.result = result;
        record.marks = result ? marksFor(record) : null;
        if (record.marks) fresh.push(...record.marks);
      });
      if (gone.length) {
        highlighter.remove(gone);
        hovercard?.remove(gone);
      }
      if (fresh.length) highlighter.add(fresh);
    });
    summary = doc.answer.summary;
    if (gone.length || fresh.length) {
      timing.highlightMs += performance.now() - start;
      timing.highlightRuns += 1;
    }
  }

  /** The reader's dismissals changed: every answered paragraph's marks drawn again (keyboard
   *  focus on a mark that went moves on to its successor, see hovercard.js). */
  function refilter() {
    const gone = [];
    const fresh = [];
    for (const record of records) {
      if (!record.result) continue;
      if (record.marks) gone.push(...record.marks);
      record.marks = marksFor(record);
      fresh.push(...record.marks);
    }
    if (gone.length) highlighter.remove(gone);
    if (fresh.length) highlighter.add(fresh);
    if (gone.length) hovercard?.remove(gone, successor);
    changed();
  }

  /** The mark that takes the place of `mark` (one that went) in reading order: the first mark at
   *  or after its place, else the last one before it; null when no mark remains. */
  function successor(mark) {
    const marks = ordered();
    const order = new Map(records.map((record, i) => [record, i]));
    const place = order.get(mark.record) ?? -1;
    const after = (m) => order.get(m.record) > place || (m.record === mark.record && m.span.start >= mark.span.start);
    return marks.find(after) ?? marks.at(-1) ?? null;
  }

  function drop(record) {
    if (!record.marks) return;
    highlighter.remove(record.marks);
    hovercard?.remove(record.marks);
    record.marks = null;
    record.result = null;
  }

  // --- following the page ---------------------------------------------------------------------
  function scan() {
    const start = performance.now();
    const article = measure("unspin-extract", () => extractArticle(document));
    timing.extractMs = performance.now() - start;
    title = article.title;
    const old = new Map(records.map((r) => [r.nodes[0], r]));
    records = article.paragraphs.map((p) => {
      const prev = old.get(p.nodes[0]);
      if (prev && prev.text === p.map.text && sameNodes(prev.nodes, p.nodes)) {
        old.delete(p.nodes[0]);
        prev.kind = p.kind;
        return prev;
      }
      return { kind: p.kind, nodes: p.nodes, snapshot: p.nodes.map((n) => n.data), map: p.map, text: p.map.text, result: null, marks: null };
    });
    for (const record of old.values()) drop(record);
    const texts = budgeted().map((r) => r.text);
    if (!records.length) forget(); // nothing to ask about (and any answer in flight is stale)
    else if (doc && sameTexts(doc.texts, texts)) apply(); // the same article: marks for new nodes, if answered
    else send(texts); // a new version of the article: the whole of it
    changed();
  }

  /** Drop paragraphs whose text nodes left the page or changed (their marks with them); the
   *  re-scan that follows sends the new document. */
  function validate() {
    const before = records.length;
    records = records.filter((r) => {
      const intact = r.nodes.every((node, i) => node.isConnected && node.data === r.snapshot[i]);
      if (!intact) drop(r);
      return intact;
    });
    if (records.length !== before) changed();
  }

  function reset() {
    for (const record of records) drop(record);
    records = [];
    forget();
    summary = null;
    title = "";
    changed();
  }

  /** Settings that change answers (server, threshold), or Retry: drop the marks and ask again. */
  function refresh() {
    for (const record of records) drop(record);
    forget();
    summary = null;
    scan();
  }

  // --- state for the badge and the popup ------------------------------------------------------
  function state() {
    const analysed = records.filter((r) => r.result);
    const skipped = doc?.answer ? records.length - analysed.length : 0; // over the page's text budget
    let status = STATUS.DONE;
    if (!records.length) status = STATUS.NO_ARTICLE;
    else if (doc?.error) status = STATUS.ERROR;
    else if (!doc?.answer) status = doc?.retryAt > Date.now() ? STATUS.BUSY : STATUS.ANALYSING;
    else if (!analysed.length && skipped) status = STATUS.TOO_LONG;
    const error = doc?.error ?? null;
    return {
      status,
      error,
      title,
      paragraphs: records.length,
      analysed: analysed.length,
      skipped,
      summary: analysed.length ? summary : null, // the server's, for what it analysed
      retryAt: status === STATUS.BUSY ? doc.retryAt : null,
      dismissed: analysed.flatMap((r) => r.result.spans.filter((span) => hides(span.text)).map((span) => span.text)),
      timing: { ...timing },
    };
  }

  let reportTimer = 0;
  function changed() {
    clearTimeout(reportTimer);
    reportTimer = setTimeout(() => report(state()), 50);
  }

  function article() {
    return {
      title,
      url: location.href,
      paragraphs: records.map((r) => ({ kind: r.kind, text: r.text, spans: r.marks ? r.marks.map((m) => m.span) : [] })),
    };
  }

  signal.addEventListener("abort", () => {
    clearTimeout(reportTimer);
    clearTimeout(busyTimer);
    doc = null;
    port?.disconnect();
    port = null;
  });

  /** Every mark in reading order. */
  function ordered() {
    return records.flatMap((r) => r.marks || []);
  }

  return { scan, validate, reset, refresh, refilter, state, article, ordered };
}
