// The page's article and its marks, following the page. The server decides per article (a
// paragraph's marks depend on the whole article), so whenever the paragraph list changes (first
// scan, paragraphs added, removed or changed, a settings change) the WHOLE list of paragraph texts
// (within the page's budget, shared/document.js; the background cuts it to the tab's share) goes
// to the background as one document (page-port.js), with which paragraphs the reader sees (the
// headline, the lede and what is in view: read first). Provisional marks of each part read, the
// answer, then the marks' suggestions re-apply the marks of every paragraph (marks.js); the page's
// state goes to the badge and the popup (page-state.js).
import { sameTexts, withinBudget } from "../shared/document.js";
import { pending } from "../shared/suggestions.js";
import { extractArticle } from "./extract.js";
import * as marksFeature from "./marks.js";
import * as portFeature from "./page-port.js";
import { pageState } from "./page-state.js";

function sameNodes(a, b) {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}

// The first paragraphs of an article (its headline and lede) are read first, wherever the reader is.
const LEDE_PARAGRAPHS = 2;

/** Indices of the records the reader sees now, and of the first LEDE_PARAGRAPHS. */
function inView(records) {
  const height = window.innerHeight;
  return records.flatMap((record, i) => {
    if (i < LEDE_PARAGRAPHS) return [i];
    const box = record.nodes[0]?.parentElement?.getBoundingClientRect();
    return box && box.bottom > 0 && box.top < height ? [i] : [];
  });
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
 * @param {AbortSignal} signal  ends the session
 * @param {{highlighter, hovercard, report(state: import("../shared/messages.js").PageState): void, hides?(text: string): boolean}} features
 *   hovercard may be null; hides: a wording the reader dismissed on this site, never marked, see
 *   dismissals.js
 */
export function init(signal, features) {
  const { report, hides = () => false } = features;
  const marks = marksFeature.init({ ...features, hides });
  const documents = portFeature.init(signal, { onAnswer: apply, onChange: changed });
  /** @type {import("./marks.js").PageParagraph[]} */
  let records = []; // in reading order
  let title = "";
  let summary = null; // the server's Summary for the answer whose marks are shown
  const timing = { extractMs: 0, highlightMs: 0, highlightRuns: 0 };

  /** The records that make the document, in its order. */
  function budgeted() {
    return withinBudget(records.map((r) => r.text)).map((i) => records[i]);
  }

  /** Every paragraph's marks from the current document's answer (until it comes, the
   *  provisional marks of the parts read). Only while the paragraphs are still that document's:
   *  when the page moved on, the next scan sends a new document. */
  function apply() {
    const doc = documents.current;
    const inDocument = budgeted();
    const answer = doc?.answer ?? doc?.marks;
    if (!answer || !sameTexts(doc.texts, inDocument.map((r) => r.text))) return;
    const resultOf = new Map(inDocument.map((record, k) => [record, answer.results[k]]));
    const start = performance.now();
    if (measure("unspin-highlight", () => marks.reconcile(records, resultOf))) {
      timing.highlightMs += performance.now() - start;
      timing.highlightRuns += 1;
    }
    summary = doc.answer?.summary ?? null;
  }

  /** The reader points at `mark` (its card opens): ask for its suggestions if they are not there. */
  function needSuggestions(mark) {
    const doc = documents.current;
    if (!doc?.answer || !pending(mark.span)) return;
    const index = budgeted().indexOf(mark.record);
    if (index >= 0) documents.suggest(index, mark.span.start, mark.span.end);
  }

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
    for (const record of old.values()) marks.drop(record);
    const sent = budgeted();
    const texts = sent.map((r) => r.text);
    const doc = documents.current;
    if (!records.length) documents.forget(); // nothing to ask about (and any answer in flight is stale)
    else if (doc && sameTexts(doc.texts, texts)) apply(); // the same article: marks for new nodes, if answered
    else documents.send(texts, inView(sent)); // a new version of the article: the whole of it
    changed();
  }

  /** Drop paragraphs whose text nodes left the page or changed (their marks with them); the
   *  re-scan that follows sends the new document. */
  function validate() {
    const before = records.length;
    records = records.filter((r) => {
      const intact = r.nodes.every((node, i) => node.isConnected && node.data === r.snapshot[i]);
      if (!intact) marks.drop(r);
      return intact;
    });
    if (records.length !== before) changed();
  }

  function reset() {
    for (const record of records) marks.drop(record);
    records = [];
    documents.forget();
    summary = null;
    title = "";
    changed();
  }

  /** Settings that change answers (server, threshold), or Retry: drop the marks and ask again. */
  function refresh() {
    for (const record of records) marks.drop(record);
    documents.forget();
    summary = null;
    scan();
  }

  /** The reader's dismissals changed: the marks drawn again. */
  function refilter() {
    marks.refilter(records);
    changed();
  }

  function state() {
    return pageState({ records, doc: documents.current, title, summary, timing, hides });
  }

  let reportTimer = 0;
  function changed() {
    clearTimeout(reportTimer);
    reportTimer = setTimeout(() => report(state()), 50);
  }
  signal.addEventListener("abort", () => clearTimeout(reportTimer));

  function article() {
    return {
      title,
      url: location.href,
      paragraphs: records.map((r) => ({ kind: r.kind, text: r.text, spans: r.marks ? r.marks.map((m) => m.span) : [] })),
    };
  }

  return { scan, validate, reset, refresh, refilter, state, article, needSuggestions, ordered: () => marks.ordered(records) };
}
