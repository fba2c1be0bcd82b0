// The marks of the page's paragraphs, kept in step with the server's answers and the reader's
// dismissals: a paragraph keeps its marks when a new answer gives it the same spans; otherwise its
// old marks go (from the highlighter and the hovercard) and the new ones are drawn.
import { levelOf } from "./highlighter.js";
import { spanToPositions } from "./text-map.js";

/** @typedef {import("../shared/message-types.js").Span} Span */
/** @typedef {import("../shared/message-types.js").ParagraphResult} ParagraphResult */
/** @typedef {import("./paragraphs.js").PageParagraph} PageParagraph */

/**
 * A marked span of a paragraph on the page.
 * @typedef {object} Mark
 * @property {Range} range  over the page's text
 * @property {Text[]} nodes  the text nodes it covers
 * @property {Span} span  the server's span (its suggestions may come later)
 * @property {PageParagraph} record  its paragraph
 * @property {string} level  its confidence shade (highlighter.js)
 */

/**
 * The page's marks, kept in step with the answers (session.js).
 * @typedef {object} Marks
 * @property {(records: PageParagraph[]) => Mark[]} ordered  every mark, in reading order
 * @property {(records: PageParagraph[], resultOf: Map<PageParagraph, ?ParagraphResult>) => boolean} reconcile
 * @property {(records: PageParagraph[]) => void} refilter
 * @property {(record: PageParagraph) => void} drop
 */

/** The same marks (offsets, wording, P(spun)), whatever their suggestions.
 *  @param {Span[]} a @param {Span[]} b */
function sameMarks(a, b) {
  /** @param {Span[]} spans */
  const marked = (spans) => JSON.stringify(spans.map(({ start, end, text, score }) => [start, end, text, score]));
  return marked(a) === marked(b);
}

/**
 * @param {{highlighter: import("./highlighter.js").Highlighter, hovercard?: import("./hovercard.js").Hovercard,
 *   hides(text: string): boolean}} features  hovercard may be absent; hides: a wording the reader
 *   dismissed on this site, never marked (dismissals.js)
 * @returns {Marks}
 */
export function init({ highlighter, hovercard, hides }) {
  /** The marks of a paragraph's result (spans that are not its text, or dismissed, are skipped).
   *  @param {PageParagraph} record @returns {Mark[]} */
  function marksFor(record) {
    /** @type {Mark[]} */
    const marks = [];
    for (const span of record.result?.spans ?? []) {
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

  /** Every mark of `records`, in reading order. @param {PageParagraph[]} records */
  function ordered(records) {
    return records.flatMap((r) => r.marks || []);
  }

  /** The mark that takes the place of `mark` (one that went) in reading order: the first mark at
   *  or after its place, else the last one before it; null when no mark remains.
   *  @param {PageParagraph[]} records @param {Mark} mark @returns {?Mark} */
  function successor(records, mark) {
    const marks = ordered(records);
    const order = new Map(records.map((record, i) => [record, i]));
    const place = order.get(mark.record) ?? -1;
    /** @param {Mark} m */
    const after = (m) => (order.get(m.record) ?? -1) > place || (m.record === mark.record && m.span.start >= mark.span.start);
    return marks.find(after) ?? marks.at(-1) ?? null;
  }

  return {
    ordered,

    /**
     * Give each paragraph its result (`resultOf`; absent: not analysed) and the marks that go
     * with it. @returns {boolean} whether any mark came or went
     */
    reconcile(records, resultOf) {
      /** @type {Mark[]} */
      const gone = [];
      /** @type {Mark[]} */
      const fresh = [];
      /** @type {Mark[]} */
      const filled = [];
      for (const record of records) {
        const result = resultOf.get(record) ?? null; // null: over the page's text budget, not analysed
        if (record.result === result) continue;
        if (record.marks && record.result && result && sameMarks(record.result.spans, result.spans)) {
          // The same marks stay; their suggestions may have come (marks first: suggestions.js).
          const now = new Map(result.spans.map((span) => [`${span.start}:${span.end}`, span]));
          for (const mark of record.marks) {
            const span = now.get(`${mark.span.start}:${mark.span.end}`);
            if (span && JSON.stringify(span.suggestions) !== JSON.stringify(mark.span.suggestions)) filled.push(mark);
            if (span) mark.span = span;
          }
          record.result = result;
          continue;
        }
        if (record.marks) gone.push(...record.marks);
        record.result = result;
        record.marks = result ? marksFor(record) : null;
        if (record.marks) fresh.push(...record.marks);
      }
      if (gone.length) {
        highlighter.remove(gone);
        hovercard?.remove(gone);
      }
      if (fresh.length) highlighter.add(fresh);
      if (filled.length) hovercard?.refresh(filled);
      return gone.length > 0 || fresh.length > 0;
    },

    /** The reader's dismissals changed: every answered paragraph's marks drawn again (keyboard
     *  focus on a mark that went moves on to its successor, see mark-focus.js). */
    refilter(records) {
      /** @type {Mark[]} */
      const gone = [];
      /** @type {Mark[]} */
      const fresh = [];
      for (const record of records) {
        if (!record.result) continue;
        if (record.marks) gone.push(...record.marks);
        record.marks = marksFor(record);
        fresh.push(...record.marks);
      }
      if (gone.length) highlighter.remove(gone);
      if (fresh.length) highlighter.add(fresh);
      if (gone.length) hovercard?.remove(gone, (mark) => successor(records, mark));
    },

    /** A paragraph left the page or changed: its marks and result go. */
    drop(record) {
      if (!record.marks) return;
      highlighter.remove(record.marks);
      hovercard?.remove(record.marks);
      record.marks = null;
      record.result = null;
    },
  };
}
