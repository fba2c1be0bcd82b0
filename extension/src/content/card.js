// The hovercard: a dialog in the overlay's closed shadow root that describes one mark (its likely
// original, the alternatives, the confidence: card-render.js) above its actions (card-actions.js),
// placed by the mark and kept there on scroll and resize. Page and model text go in with
// textContent only.
import { renderActions } from "./card-actions.js";
import { readiness } from "./card-guard.js";
import { render } from "./card-render.js";
import { el } from "./dom.js";
import { direction, language, t } from "../shared/i18n.js";
import { pending } from "../shared/suggestions.js";
import { askSource } from "./page-source.js";

const HIDE_DELAY_MS = 250;

/** The id of the card's description: what the mark buttons are described by (mark-focus.js). */
export const DESCRIPTION_ID = "unspin-card";

/** @typedef {import("./marks.js").Mark} Mark */
/** @typedef {import("./card-actions.js").Control} Control */

/**
 * @typedef {object} Card
 * @property {HTMLElement} element
 * @property {import("./card-guard.js").Readiness} guard
 * @property {(mark: Mark, by: "hover"|"focus") => void} show  open the card on `mark`
 * @property {() => void} hide
 * @property {() => void} hideSoon  close after a moment (the pointer left the mark), unless shown
 *   again meanwhile
 * @property {(marks: Mark[]) => void} refresh  the suggestions of `marks` came: the open card shows
 *   them (its focus stays where it was when its actions are the same)
 * @property {() => void} keepOpen  stay open (the pointer is on the card itself)
 * @property {?Mark} shown  the mark whose card is open (null: closed)
 * @property {?("hover"|"focus")} shownBy  how it was opened (null: closed)
 * @property {Control[]} controls  the card's actions, in tab order
 */

/**
 * The card, added to `root` (the overlay's shadow root). `highlighter` shows which mark is active;
 * `releaseFocus()` is called when the card closes with focus inside it (mark-focus.js takes it
 * back to the mark); `onPending(mark)` when it opens on a mark whose suggestions are not there yet
 * (they are asked for: `refresh` shows them).
 * @param {AbortSignal} signal
 * @param {{root: ShadowRoot, highlighter: import("./highlighter.js").Highlighter,
 *   releaseFocus: () => void, onPending: (mark: Mark) => void}} parts
 * @returns {Card}
 */
export function init(signal, { root, highlighter, releaseFocus, onPending }) {
  const element = el("div", "unspin-card");
  element.setAttribute("role", "dialog");
  element.lang = language(); // the extension's language, not the page's
  element.dir = direction();
  element.setAttribute("aria-label", t("card_label"));
  element.hidden = true;
  const info = el("div");
  info.id = DESCRIPTION_ID;
  const actions = el("div", "unspin-actions");
  actions.setAttribute("role", "group");
  actions.setAttribute("aria-label", t("card_actions_label"));
  element.append(info, actions);
  root.append(element);
  const guard = readiness(element, signal);

  /** @type {Control[]} */
  let controls = []; // the card's actions, in tab order
  /** @type {?Mark} */
  let shown = null; // mark whose card is open
  /** @type {?("hover"|"focus")} */
  let shownBy = null;
  let hideTimer = 0;

  /** @param {Mark} mark */
  function place(mark) {
    const rects = mark.range.getClientRects();
    const rect = rects[0] || mark.range.getBoundingClientRect();
    const { innerWidth: vw, innerHeight: vh } = window;
    const box = element.getBoundingClientRect();
    const left = Math.max(8, Math.min(rect.left, vw - box.width - 8));
    const below = rect.bottom + 6;
    const top = below + box.height > vh && rect.top - box.height - 6 > 0 ? rect.top - box.height - 6 : below;
    element.style.left = `${left}px`;
    element.style.top = `${top}px`;
  }

  /** Open the card on `mark`, shown by "hover" or "focus". @param {Mark} mark @param {"hover"|"focus"} by */
  function show(mark, by) {
    clearTimeout(hideTimer);
    if (shown !== mark || element.hidden) guard.shown(); // a card opening, or showing another mark
    if (shown !== mark) {
      render(info, mark);
      controls = renderActions(actions, mark, guard);
      shown = mark;
      askSource(() => shown && render(info, shown)); // once per page: shown when it comes
      if (pending(mark.span)) onPending(mark);
    }
    shownBy = by;
    element.hidden = false;
    highlighter.setActive(mark);
    place(mark);
  }

  function hide() {
    clearTimeout(hideTimer);
    if (element.contains(root.activeElement)) releaseFocus();
    element.hidden = true;
    guard.hidden();
    shown = null;
    shownBy = null;
    highlighter.setActive(null);
  }

  function onScroll() {
    if (shown) place(shown);
  }
  const options = { signal, passive: true };
  window.addEventListener("scroll", onScroll, { ...options, capture: true });
  window.addEventListener("resize", onScroll, options);
  signal.addEventListener("abort", () => clearTimeout(hideTimer));

  return {
    element,
    guard,
    show,
    hide,
    hideSoon() {
      clearTimeout(hideTimer);
      hideTimer = window.setTimeout(hide, HIDE_DELAY_MS);
    },
    refresh(marks) {
      if (!shown || !marks.includes(shown)) return;
      render(info, shown);
      const focused = controls.indexOf(/** @type {Control} */ (root.activeElement));
      guard.shown(); // new buttons under the pointer: a click counts only after a moment (card-guard.js)
      controls = renderActions(actions, shown, guard);
      if (focused >= 0) controls[Math.min(focused, controls.length - 1)]?.focus();
      place(shown);
    },
    keepOpen() {
      clearTimeout(hideTimer);
    },
    get shown() {
      return shown;
    },
    get shownBy() {
      return shownBy;
    },
    get controls() {
      return controls;
    },
  };
}
