// The page's article and its marks, following the page (the feature "session", features.js). The
// server decides per article (a paragraph's marks depend on the whole article), so whenever the
// paragraph list changes (first scan, paragraphs added, removed or changed, a settings change) the
// WHOLE list of paragraph texts (within the page's budget, shared/document.js; the background cuts
// it to the tab's share) goes to the background as one document (page-port.js), with which
// paragraphs the reader sees (the headline, the lede and what is in view: read first). Provisional
// marks of each part read, the answer, then the marks' suggestions re-apply the marks of every
// paragraph (marks.js); the page's state goes to the badge and the popup (page-state.js).
import { sameTexts, withinBudget } from "../shared/document.js";
import { pending } from "../shared/suggestions.js";
import { extractArticle } from "./extract.js";
import * as marksFeature from "./marks.js";
import * as portFeature from "./page-port.js";
import { pageState } from "./page-state.js";
import { articleOf, inView, intact, measure, readParagraphs } from "./paragraphs.js";

/** @typedef {import("./marks.js").Mark} Mark */

/**
 * The session's interface (the feature "session").
 * @typedef {object} Session
 * @property {() => void} scan  read the page's article again; a new version of it is sent
 * @property {() => void} validate  drop paragraphs whose text left the page or changed
 * @property {() => void} reset  the page navigated: no article until the next scan
 * @property {() => void} refresh  settings that change answers, or Retry: ask again
 * @property {() => void} refilter  the reader's dismissals changed: draw the marks again
 * @property {() => import("../shared/message-types.js").PageState} state
 * @property {() => import("../shared/message-types.js").Article} article
 * @property {(mark: Mark) => void} needSuggestions  the reader points at `mark` (its card opens)
 * @property {() => Mark[]} ordered  every mark, in reading order
 */

/**
 * @param {import("./features.js").FeatureContext} context  the highlighter (required), the
 *   hovercard and the dismissals (a wording the reader dismissed on this site is never marked)
 * @returns {Session}
 */
export function init({ signal, features, report }) {
  const { highlighter, hovercard, dismissals } = features;
  if (!highlighter) throw new Error("no highlighter");
  const hides = dismissals?.hides ?? (() => false);
  const marks = marksFeature.init({ highlighter, hovercard, hides });
  const documents = portFeature.init(signal, { onAnswer: apply, onChange: changed });
  /** @type {import("./marks.js").PageParagraph[]} */
  let records = []; // in reading order
  let title = "";
  /** @type {?import("../shared/summary.js").Summary} */
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
    if (!doc || !answer || !sameTexts(doc.texts, inDocument.map((r) => r.text))) return;
    const resultOf = new Map(inDocument.map((record, k) => [record, answer.results[k]]));
    const start = performance.now();
    if (measure("unspin-highlight", () => marks.reconcile(records, resultOf))) {
      timing.highlightMs += performance.now() - start;
      timing.highlightRuns += 1;
    }
    summary = doc.answer?.summary ?? null;
  }

  /** @param {Mark} mark */
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
    const read = readParagraphs(records, article);
    records = read.records;
    for (const record of read.dropped) marks.drop(record);
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
      const kept = intact(r);
      if (!kept) marks.drop(r);
      return kept;
    });
    if (records.length !== before) changed();
  }

  /** Drop every mark and the document (in flight or answered). */
  function dropAll() {
    for (const record of records) marks.drop(record);
    documents.forget();
    summary = null;
  }

  function state() {
    return pageState({ records, doc: documents.current, title, summary, timing, hides });
  }

  let reportTimer = 0;
  function changed() {
    clearTimeout(reportTimer);
    reportTimer = window.setTimeout(() => report(state()), 50);
  }
  signal.addEventListener("abort", () => clearTimeout(reportTimer));

  return {
    scan,
    validate,
    reset() {
      dropAll();
      records = [];
      title = "";
      changed();
    },
    refresh() {
      dropAll();
      scan();
    },
    refilter() {
      marks.refilter(records);
      changed();
    },
    state,
    article: () => articleOf(title, records),
    needSuggestions,
    ordered: () => marks.ordered(records),
  };
}
