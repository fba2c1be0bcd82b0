// What screen readers are told without moving focus: a polite live region in the overlay, and
// how a mark is read out (the label of the mark's button and the announcement alike).
import { el } from "./dom.js";
import { language, t } from "../shared/i18n.js";

/** @typedef {{element: HTMLElement, say(text: string): void}} Announcer  The overlay's live region. */

/** What is said when the last mark went. */
export function noMarksLeft() {
  return t("announce_no_marks_left");
}

/** A mark as read out: its wording and likely original. @param {import("./marks.js").Mark} mark */
export function describeMark(mark) {
  const best = mark.span.suggestions?.[0]?.text;
  if (best) return t("announce_mark", mark.span.text, best);
  return t(mark.span.suggestions === null ? "announce_mark_finding" : "announce_mark_unknown", mark.span.text);
}

/** The live region, added to `root` (the overlay's shadow root). @param {ShadowRoot} root @returns {Announcer} */
export function init(root) {
  const element = el("div", "unspin-live");
  element.setAttribute("role", "status");
  element.setAttribute("aria-live", "polite");
  element.lang = language(); // what it says is in the extension's language, not the page's
  root.append(element);
  return {
    element,
    /** Announce `text`. */
    say(text) {
      element.textContent = text;
    },
  };
}
