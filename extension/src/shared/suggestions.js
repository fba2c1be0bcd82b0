// Marks first, suggestions after (server/openapi.json: `suggestions: false`, then POST
// /api/v1/suggestions): an answer's spans arrive with `suggestions: null`, and the server's
// restored spans replace them later. One rule, used by the background's cached answer and the
// page's copy alike.

/**
 * @typedef {import("./message-types.js").Span} Span
 * @typedef {Span & {paragraph: number}} PlacedSpan  A span with its paragraph's index.
 */

/** Whether a span still waits for its suggestions. @param {Span} span */
export function pending(span) {
  return span.suggestions === null;
}

/**
 * Put restored spans in their paragraphs' results: each replaces the pending spans it overlaps
 * (the same span: the server's marks do not change when restored), in offset order. Results that
 * are null (not analysed) are left alone.
 * @param {({spans: Span[]}|null)[]} results  per paragraph (changed in place)
 * @param {PlacedSpan[]} placed
 * @returns {Set<number>} the paragraphs whose spans changed
 */
export function placeSpans(results, placed) {
  /** @type {Set<number>} */
  const changed = new Set();
  for (const { paragraph, ...span } of placed) {
    const result = results[paragraph];
    if (!result) continue;
    const overlaps = (/** @type {Span} */ s) => s.start < span.end && span.start < s.end;
    const kept = result.spans.filter((s) => !(overlaps(s) && (pending(s) || (s.start === span.start && s.end === span.end))));
    if (kept.some(overlaps)) continue; // overlaps a restored span it does not replace: not this answer's
    result.spans = [...kept, span].sort((a, b) => a.start - b.start);
    changed.add(paragraph);
  }
  return changed;
}

/**
 * The pending spans of an answer as ranges to ask for, in the order given by `order` (paragraph
 * indices, first first; the rest follow in reading order).
 * @param {({spans: Span[]}|null)[]} results
 * @param {number[]} order
 * @returns {{paragraph: number, start: number, end: number}[]}
 */
export function pendingRanges(results, order = []) {
  const paragraphs = [...new Set([...order, ...results.keys()])];
  return paragraphs.flatMap((paragraph) =>
    (results[paragraph]?.spans || []).filter(pending).map(({ start, end }) => ({ paragraph, start, end })),
  );
}
