// The page's paragraphs and their results: extract, ask the background for what is not known
// yet, turn spans into marks, keep marks in step with the page, report the page state.
import browser from "webextension-polyfill";
import { summarise } from "../shared/summary.js";
import { extractArticle } from "./extract.js";
import { levelOf } from "./highlighter.js";
import { spanToPositions } from "./text-map.js";

function sameNodes(a, b) {
  return a.length === b.length && a.every((node, i) => node === b[i]);
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
 * @param {{highlighter, hovercard, report(state)}} features (hovercard may be null)
 */
export function init(signal, { highlighter, hovercard, report }) {
  let records = []; // paragraphs in reading order: {kind, nodes, snapshot, map, text, result, marks}
  let title = "";
  let error = null;
  let port = null;
  let nextId = 0;
  const results = new Map(); // paragraph text -> result, for this page
  const pending = new Map(); // request id -> texts
  const timing = { extractMs: 0, highlightMs: 0, highlightRuns: 0 };

  // --- talking to the background ------------------------------------------------------------
  function connect() {
    if (port) return port;
    port = browser.runtime.connect({ name: "unspin-page" });
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(() => {
      port = null;
      pending.clear();
    });
    return port;
  }

  function request(texts) {
    const asked = new Set([...pending.values()].flat());
    const wanted = [...new Set(texts)].filter((t) => !asked.has(t));
    if (!wanted.length) return;
    const id = ++nextId;
    pending.set(id, wanted);
    try {
      connect().postMessage({ type: "analyze", id, texts: wanted });
    } catch {
      port = null; // the background restarted; one more try on a fresh port
      connect().postMessage({ type: "analyze", id, texts: wanted });
    }
  }

  function onMessage(message) {
    if (message.type === "results") {
      for (const [text, result] of message.items) results.set(text, result);
      error = null;
      applyResults();
    } else if (message.type === "done") {
      pending.delete(message.id);
    } else if (message.type === "error") {
      pending.delete(message.id);
      error = message.error; // quiet on the page; the popup shows it
    }
    changed();
  }

  // --- marks ------------------------------------------------------------------------------------
  function marksFor(record) {
    const marks = [];
    for (const span of record.result.spans) {
      if (record.text.slice(span.start, span.end) !== span.text) continue; // not our text: skip
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

  function applyResults() {
    if (!records.some((r) => !r.marks && results.has(r.text))) return;
    const fresh = [];
    const start = performance.now();
    measure("unspin-highlight", () => {
      for (const record of records) {
        if (record.marks || !results.has(record.text)) continue;
        record.result = results.get(record.text);
        record.marks = marksFor(record);
        fresh.push(...record.marks);
      }
      if (!fresh.length) return;
      highlighter.add(fresh);
    });
    if (fresh.length) {
      timing.highlightMs += performance.now() - start;
      timing.highlightRuns += 1;
    }
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
    applyResults();
    const unknown = records.filter((r) => !r.marks).map((r) => r.text);
    if (unknown.length) request(unknown);
    changed();
  }

  /** Drop paragraphs whose text nodes left the page or changed (their marks with them). */
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
    title = "";
    changed();
  }

  /** Settings that change answers (server, threshold): forget results and ask again. */
  function refresh() {
    results.clear();
    pending.clear();
    error = null;
    for (const record of records) drop(record);
    scan();
  }

  // --- state for the badge and the popup ------------------------------------------------------
  function state() {
    const analysed = records.filter((r) => r.result);
    const summary = summarise(analysed.map((r) => ({ score: r.result.score, words: r.result.words, spunWords: r.result.spunWords, spans: r.marks })));
    let status = "done";
    if (!records.length) status = "no-article";
    else if (analysed.length < records.length) status = error ? "error" : "analysing";
    return { status, error, title, paragraphs: records.length, analysed: analysed.length, summary, timing: { ...timing } };
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
    port?.disconnect();
    port = null;
  });

  /** Every mark in reading order. */
  function ordered() {
    return records.flatMap((r) => r.marks || []);
  }

  return { scan, validate, reset, refresh, state, article, ordered };
}
