// Paragraph text built from several text nodes, with a map back to (node, offset); pure.
//
// HTML whitespace runs collapse to one space (the server sees "army gear", not
// "army\n      gear"), the ends are trimmed, and every UTF-16 unit of the result
// remembers which piece (text node) and which offset in it it came from, so a span
// [start, end) from the server (offset_unit "utf16") maps back to a DOM Range.

const SPACE = /[\s\u00a0]/u;

/** @typedef {{text: string, piece: Int32Array, offset: Int32Array}} TextMap  A paragraph's text and,
 *  per UTF-16 unit, the piece (text node) and the offset in it it came from. */

/**
 * @param {{text: string, breakBefore?: boolean}[]} pieces  text node contents in document order;
 *   breakBefore: a line/block boundary lies between this piece and the previous one.
 * @returns {TextMap}
 */
export function buildTextMap(pieces) {
  let total = 0;
  for (const p of pieces) total += p.text.length + 1;
  const piece = new Int32Array(total);
  const offset = new Int32Array(total);
  let out = "";
  let n = 0;
  let pending = -1; // index of the piece where a pending space starts, -1 if none
  let pendingOffset = 0;
  for (let i = 0; i < pieces.length; i++) {
    const { text, breakBefore } = pieces[i];
    if (breakBefore && n > 0 && pending < 0) {
      pending = i;
      pendingOffset = 0;
    }
    let chunk = "";
    for (let j = 0; j < text.length; j++) {
      const ch = text[j];
      if (SPACE.test(ch)) {
        if (n + chunk.length > 0 && pending < 0) {
          pending = i;
          pendingOffset = j;
        }
        continue;
      }
      if (pending >= 0) {
        chunk += " ";
        piece[n + chunk.length - 1] = pending;
        offset[n + chunk.length - 1] = pendingOffset;
        pending = -1;
      }
      chunk += ch;
      piece[n + chunk.length - 1] = i;
      offset[n + chunk.length - 1] = j;
    }
    out += chunk;
    n += chunk.length;
  }
  return { text: out, piece: piece.subarray(0, n), offset: offset.subarray(0, n) };
}

/**
 * DOM positions of [start, end) in the mapped text: {startPiece, startOffset, endPiece, endOffset},
 * with spaces at the edges left out; null when the span is empty or out of range.
 * @param {TextMap} map @param {number} start @param {number} end
 */
export function spanToPositions(map, start, end) {
  const { text } = map;
  if (!(start >= 0 && end <= text.length && start < end)) return null;
  while (start < end && text[start] === " ") start++;
  while (end > start && text[end - 1] === " ") end--;
  if (start >= end) return null;
  return {
    startPiece: map.piece[start],
    startOffset: map.offset[start],
    endPiece: map.piece[end - 1],
    endOffset: map.offset[end - 1] + 1,
  };
}
