// What screen readers are told without moving focus: a polite live region in the overlay, and
// how a mark is read out (the label of the mark's button and the announcement alike).
import { el } from "./dom.js";

export const NO_MARKS_LEFT = "No marks remain on this page.";

/** A mark as read out: its wording and likely original. */
export function describeMark(mark) {
  const best = mark.span.suggestions?.[0]?.text;
  const original = best ? ` Likely original: ${best}.` : mark.span.suggestions === null ? " Finding the original." : " Original unknown.";
  return `Possibly spun: ${mark.span.text}.${original}`;
}

/** The live region, added to `root` (the overlay's shadow root). */
export function init(root) {
  const element = el("div", "unspin-live");
  element.setAttribute("role", "status");
  element.setAttribute("aria-live", "polite");
  root.append(element);
  return {
    element,
    /** Announce `text`. */
    say(text) {
      element.textContent = text;
    },
  };
}
