// The page's paragraphs as the session keeps them (marks.js: PageParagraph): read from a fresh
// extraction (extract.js) keeping the records whose text and nodes did not change, which of them
// the reader sees, and the article they make for the popup and the restored view. Pure but for
// the DOM reads.

/** @typedef {import("../shared/message-types.js").ParagraphResult} ParagraphResult */
/** @typedef {import("./marks.js").Mark} Mark */

/**
 * A paragraph of the page: its text nodes (and their text when read), the text sent, the
 * server's result for it (null: not analysed) and its marks.
 * @typedef {object} PageParagraph
 * @property {string} kind
 * @property {Text[]} nodes
 * @property {string[]} snapshot
 * @property {import("./text-map.js").TextMap} map
 * @property {string} text
 * @property {?ParagraphResult} result
 * @property {?Mark[]} marks
 */

// The first paragraphs of an article (its headline and lede) are read first, wherever the reader is.
const LEDE_PARAGRAPHS = 2;

/** @param {Text[]} a @param {Text[]} b */
function sameNodes(a, b) {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}

/**
 * The paragraphs of `article` in reading order: a record of `previous` stays (with its marks)
 * when its paragraph is the same; the ones that did not stay are `dropped`.
 * @param {PageParagraph[]} previous @param {ReturnType<typeof import("./extract.js").extractArticle>} article
 * @returns {{records: PageParagraph[], dropped: PageParagraph[]}}
 */
export function readParagraphs(previous, article) {
  const old = new Map(previous.map((r) => [r.nodes[0], r]));
  const records = article.paragraphs.map((p) => {
    const prev = old.get(p.nodes[0]);
    if (prev && prev.text === p.map.text && sameNodes(prev.nodes, p.nodes)) {
      old.delete(p.nodes[0]);
      prev.kind = p.kind;
      return prev;
    }
    return { kind: p.kind, nodes: p.nodes, snapshot: p.nodes.map((n) => n.data), map: p.map, text: p.map.text, result: null, marks: null };
  });
  return { records, dropped: [...old.values()] };
}

/** Whether a paragraph's text nodes are still on the page with the text they had.
 *  @param {PageParagraph} record */
export function intact(record) {
  return record.nodes.every((node, i) => node.isConnected && node.data === record.snapshot[i]);
}

/** Indices of the records the reader sees now, and of the first LEDE_PARAGRAPHS.
 *  @param {PageParagraph[]} records @returns {number[]} */
export function inView(records) {
  const height = window.innerHeight;
  return records.flatMap((record, i) => {
    if (i < LEDE_PARAGRAPHS) return [i];
    const box = record.nodes[0]?.parentElement?.getBoundingClientRect();
    return box && box.bottom > 0 && box.top < height ? [i] : [];
  });
}

/** Run `fn` as a performance measure named `name`. @template T @param {string} name
 *  @param {() => T} fn @returns {T} */
export function measure(name, fn) {
  performance.mark(`${name}-start`);
  try {
    return fn();
  } finally {
    performance.measure(name, `${name}-start`);
  }
}

/** The article as the popup and the restored view get it.
 *  @param {string} title @param {PageParagraph[]} records @returns {import("../shared/message-types.js").Article} */
export function articleOf(title, records) {
  return {
    title,
    url: location.href,
    paragraphs: records.map((r) => ({ kind: r.kind, text: r.text, spans: r.marks ? r.marks.map((m) => m.span) : [] })),
  };
}
