// Hover: the pointer position is mapped to a mark (caret position + the range's rects), so no
// element covers the page's text (links inside a span stay clickable). Over a mark its card opens;
// off it, a card that hover opened closes after a moment; on the card itself it stays open.

/** @typedef {import("./highlighter.js").Highlighter} Highlighter */

/** The node under viewport point (x, y), or null. @param {number} x @param {number} y @returns {?Node} */
function caretNode(x, y) {
  if (document.caretPositionFromPoint) return document.caretPositionFromPoint(x, y)?.offsetNode || null;
  return document.caretRangeFromPoint?.(x, y)?.startContainer || null;
}

/** @param {DOMRect} rect @param {number} x @param {number} y */
function contains(rect, x, y) {
  return x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom;
}

/** The mark under viewport point (x, y), or null. @param {Highlighter} highlighter @param {number} x @param {number} y */
function markAt(highlighter, x, y) {
  const node = caretNode(x, y);
  const candidates = node && highlighter.marksAt(node);
  if (!candidates) return null;
  for (const mark of candidates) for (const rect of mark.range.getClientRects()) if (contains(rect, x, y)) return mark;
  return null;
}

/**
 * @param {AbortSignal} signal
 * @param {{host: Element, highlighter: Highlighter, card: import("./card.js").Card}} parts  the overlay's host element (the pointer on
 *   it is on the card), highlighter.js, card.js
 */
export function init(signal, { host, highlighter, card }) {
  let frame = 0;
  /** @type {?{x: number, y: number, onCard: boolean}} */
  let pointer = null;

  function check() {
    frame = 0;
    if (!highlighter.visible || !pointer) return;
    if (pointer.onCard) {
      card.keepOpen();
      return;
    }
    const mark = markAt(highlighter, pointer.x, pointer.y);
    if (mark) card.show(mark, "hover");
    else if (card.shownBy === "hover") card.hideSoon();
  }

  /** @param {PointerEvent} event */
  function onPointerMove(event) {
    pointer = { x: event.clientX, y: event.clientY, onCard: event.target === host };
    if (!frame) frame = requestAnimationFrame(check); // once a frame at most
  }

  document.addEventListener("pointermove", onPointerMove, { signal, passive: true });
  signal.addEventListener("abort", () => cancelAnimationFrame(frame));
}
