// Keyboard access to the marks. A pair of visually hidden buttons (mark-buttons.js) roves over the
// marks in reading order: Tab (Shift+Tab) moves to the next (previous) mark, past the last one
// focus leaves as usual; focus shows the card and scrolls the mark into view (Esc closes it,
// card-keys.js). The browser commands "next-mark"/"previous-mark" (moveMark) and the popup's list of marks
// (showMark) move the same focus from anywhere on the page and announce the mark in the live
// region. Enter on a mark moves focus into its card's actions (card-keys.js). When the mark under
// keyboard focus goes ("Not spun"), focus goes on to the mark that takes its place (its card
// opens), or, when no mark remains, the live region says so and focus goes back to the page.
import { describeMark, noMarksLeft } from "./announcer.js";
import { cardKeys } from "./card-keys.js";
import { markButtons } from "./mark-buttons.js";

/** @typedef {import("./marks.js").Mark} Mark */

/**
 * @typedef {object} MarkFocus
 * @property {(direction: number) => boolean} moveMark  focus the next (1) or previous (-1) mark
 *   after the one focused or shown, round the ends; open its card and announce it (false: no mark)
 * @property {(index: number) => boolean} showMark  the index-th mark in reading order, as moveMark
 * @property {() => void} releaseFocus  the card closes with focus inside it: back to the mark
 * @property {(marks: Mark[], successor?: ?((mark: Mark) => ?Mark)) => void} remove  marks left the
 *   page: close their card; with `successor`, keyboard focus on a mark that went moves on
 * @property {boolean} visible  whether the marks can be reached by keyboard (they are shown)
 * @property {?Mark} focused  the mark under keyboard focus (null: none)
 * @property {?string} label  the label of the mark button with focus (null: focus is elsewhere)
 */

/**
 * The mark buttons, added to `root` (the overlay's shadow root) before the card.
 * @param {AbortSignal} signal
 * @param {{root: ShadowRoot, card: import("./card.js").Card, announcer: import("./announcer.js").Announcer,
 *   ordered: () => Mark[]}} parts  and every mark in reading order (asked only on keyboard use)
 * @returns {MarkFocus}
 */
export function init(signal, { root, card, announcer, ordered }) {
  const buttons = markButtons(card.element);
  const keys = cardKeys(signal, { root, card, buttons, focused: () => focused });
  const { pair, proxies } = buttons;
  /** @type {?Mark} */
  let focused = null; // mark under keyboard focus
  let proxy = pair[0]; // the button that last had focus (focus goes back there from the card)
  const active = () => /** @type {?HTMLElement} */ (root.activeElement);
  const inCard = (/** @type {unknown} */ node) => card.element.contains(/** @type {?Node} */ (node));

  /** @param {Mark} mark */
  function focusMark(mark) {
    focused = mark;
    const rect = mark.range.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "instant" });
    }
    card.show(mark, "focus");
  }

  /** @param {FocusEvent} event */
  function onFocus(event) {
    const button = event.target;
    if (!buttons.has(button)) return;
    proxy = button;
    if (buttons.moving()) return;
    if ((buttons.has(event.relatedTarget) || inCard(event.relatedTarget)) && focused) return; // turn-taking, or back from the card
    const marks = ordered();
    if (!marks.length) return;
    const mark = keys.shiftHeld() ? marks[marks.length - 1] : marks[0];
    button.setAttribute("aria-label", describeMark(mark));
    focusMark(mark);
  }

  /** @param {KeyboardEvent} event */
  function onPairKeyDown(event) {
    if (event.key !== "Tab" || !buttons.has(event.target)) return;
    const marks = ordered();
    const index = focused ? marks.indexOf(focused) : -1;
    const next = marks[index + (event.shiftKey ? -1 : 1)];
    if (index < 0 || !next) return; // past the ends: leave the marks
    event.preventDefault();
    const other = buttons.other(event.target);
    other.setAttribute("aria-label", describeMark(next));
    focused = next;
    other.focus();
    focusMark(next);
  }

  /** @param {FocusEvent} event */
  function onBlur(event) {
    if (buttons.has(event.relatedTarget) || inCard(event.relatedTarget)) return;
    focused = null;
    if (card.shownBy === "focus") card.hide();
  }

  root.addEventListener("focusin", /** @type {EventListener} */ (onFocus), { signal });
  root.addEventListener("focusout", /** @type {EventListener} */ (onBlur), { signal });
  root.addEventListener("keydown", /** @type {EventListener} */ (onPairKeyDown), { signal });

  /** Focus a mark from elsewhere (a command, the popup), open its card, `announce` it. @param {Mark} next @param {boolean} announce */
  function focusFromElsewhere(next, announce) {
    const button = active() === pair[0] ? pair[1] : pair[0];
    button.setAttribute("aria-label", describeMark(next));
    buttons.focusQuietly(button);
    focusMark(next);
    if (announce) announcer.say(describeMark(next));
  }

  return {
    moveMark(direction) {
      const marks = proxies.hidden ? [] : ordered();
      if (!marks.length) return false;
      const from = focused ?? card.shown;
      const index = from ? marks.indexOf(from) : -1;
      focusFromElsewhere(index < 0 ? marks[direction > 0 ? 0 : marks.length - 1] : marks[(index + direction + marks.length) % marks.length], true);
      return true;
    },
    showMark(index) {
      const mark = proxies.hidden ? null : ordered()[index];
      if (!mark) return false;
      focusFromElsewhere(mark, true);
      return true;
    },
    releaseFocus() {
      if (focused) buttons.focusQuietly(proxy); // the mark keeps its place
      else active()?.blur();
    },
    remove(marks, successor = null) {
      const lost = focused && marks.includes(focused) ? focused : null;
      const keyboard = buttons.has(active()) || inCard(active());
      if (card.shown && marks.includes(card.shown)) card.hide();
      if (lost) focused = null;
      if (!lost || !keyboard || !successor) return;
      // The mark under keyboard focus went: on to the next (its label is announced as it takes
      // focus), or, when none remains, say so and leave the marks (focus goes back to the page).
      const next = successor(lost);
      if (next) return focusFromElsewhere(next, false);
      announcer.say(noMarksLeft());
      active()?.blur();
    },
    get visible() {
      return !proxies.hidden;
    },
    set visible(on) {
      proxies.hidden = !on;
    },
    get focused() {
      return focused;
    },
    get label() {
      const button = active();
      return buttons.has(button) ? button.getAttribute("aria-label") : null;
    },
  };
}
