// Keyboard access to the marks. A pair of visually hidden buttons roves over the marks in reading
// order: Tab (Shift+Tab) moves to the next (previous) mark, past the last one focus leaves as
// usual; focus shows the card and scrolls the mark into view; Esc closes the card. Two buttons
// taking turns make screen readers announce each mark; one button per mark cost ~0.05 ms each to
// insert. The browser commands "next-mark"/"previous-mark" (moveMark) and the popup's list of
// marks (showMark) move the same focus from anywhere on the page and announce the mark in the
// live region. Enter on a mark moves focus into its card's actions; Tab and Shift+Tab go round
// them, Esc goes back to the mark. When the mark under keyboard focus goes ("Not spun"), focus
// goes on to the mark that takes its place (its card opens), or, when no mark remains, the live
// region says so and focus goes back to the page.
import { describeMark, noMarksLeft } from "./announcer.js";
import { DESCRIPTION_ID } from "./card.js";
import { el } from "./dom.js";

/**
 * The mark buttons, added to `root` (the overlay's shadow root) before the card.
 * @param {AbortSignal} signal
 * @param {{root: ShadowRoot, card, announcer, ordered: () => object[]}} parts  card.js,
 *   announcer.js, and every mark in reading order (asked only on keyboard use)
 */
export function init(signal, { root, card, announcer, ordered }) {
  const proxies = el("div", "unspin-proxies");
  const pair = [el("button"), el("button")];
  for (const button of pair) {
    button.setAttribute("type", "button");
    button.setAttribute("aria-describedby", DESCRIPTION_ID);
  }
  proxies.append(...pair);
  card.element.before(proxies); // the marks come before the card in the overlay's tab order

  let focused = null; // mark under keyboard focus
  let shiftHeld = false;
  let moving = false; // this module is focusing a mark button itself
  let proxy = pair[0]; // the button that last had focus (focus goes back there from the card)
  const active = () => /** @type {HTMLElement} */ (root.activeElement);
  const inCard = (node) => card.element.contains(node);

  /** Focus `button` without the focus handler taking it for the reader's Tab. */
  function focusQuietly(button) {
    moving = true;
    try {
      button.focus({ preventScroll: true });
    } finally {
      moving = false;
    }
  }

  function focusMark(mark) {
    focused = mark;
    const rect = mark.range.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "instant" });
    }
    card.show(mark, "focus");
  }

  function onKeyDown(event) {
    shiftHeld = event.shiftKey;
    if (event.key === "Escape" && card.shown) {
      card.hide();
      event.stopPropagation();
    }
  }

  function onFocus(event) {
    if (!pair.includes(event.target)) return;
    proxy = event.target;
    if (moving) return;
    if ((pair.includes(event.relatedTarget) || inCard(event.relatedTarget)) && focused) return; // turn-taking, or back from the card
    const marks = ordered();
    if (!marks.length) return;
    const mark = shiftHeld ? marks[marks.length - 1] : marks[0];
    event.target.setAttribute("aria-label", describeMark(mark));
    focusMark(mark);
  }

  function onPairKeyDown(event) {
    if (event.key !== "Tab" || !pair.includes(event.target)) return;
    const marks = ordered();
    const index = marks.indexOf(focused);
    const next = marks[index + (event.shiftKey ? -1 : 1)];
    if (index < 0 || !next) return; // past the ends: leave the marks
    event.preventDefault();
    const other = pair[1 - pair.indexOf(event.target)];
    other.setAttribute("aria-label", describeMark(next));
    focused = next;
    other.focus();
    focusMark(next);
  }

  function onBlur(event) {
    if (pair.includes(event.relatedTarget) || inCard(event.relatedTarget)) return;
    focused = null;
    if (card.shownBy === "focus") card.hide();
  }

  /** Enter (a click) on a mark: into its card's actions (the card opens again after Esc). */
  function onProxyClick(event) {
    if (!pair.includes(event.target) || !focused) return;
    if (card.shown !== focused) card.show(focused, "focus");
    card.controls.find((control) => !control.disabled)?.focus();
  }

  /** Tab and Shift+Tab go round the card's actions. */
  function onCardKeyDown(event) {
    if (event.key !== "Tab") return;
    const enabled = card.controls.filter((control) => !control.disabled);
    const index = enabled.indexOf(active());
    if (index < 0) return;
    event.preventDefault();
    enabled[(index + (event.shiftKey ? -1 : 1) + enabled.length) % enabled.length].focus();
  }

  document.addEventListener("keydown", onKeyDown, { signal, capture: true });
  root.addEventListener("focusin", onFocus, { signal });
  root.addEventListener("focusout", onBlur, { signal });
  root.addEventListener("keydown", onPairKeyDown, { signal });
  root.addEventListener("click", onProxyClick, { signal });
  card.element.addEventListener("keydown", onCardKeyDown, { signal });

  /** Focus a mark from elsewhere (a command, the popup) and open its card. */
  function focusFromElsewhere(next) {
    const button = active() === pair[0] ? pair[1] : pair[0];
    button.setAttribute("aria-label", describeMark(next));
    focusQuietly(button);
    focusMark(next);
  }

  /** As focusFromElsewhere, and announce the mark. */
  function goTo(next) {
    focusFromElsewhere(next);
    announcer.say(describeMark(next));
  }

  /** The mark under keyboard focus went: on to `next` (its label is announced as it takes focus),
   *  or, when none remains, say so and leave the marks. */
  function keepPlace(next) {
    if (next) {
      focusFromElsewhere(next);
      return;
    }
    announcer.say(noMarksLeft());
    active()?.blur(); // focus goes back to the page
  }

  return {
    /** Focus the next (1) or previous (-1) mark after the one focused or shown, round the ends;
     *  open its card and announce it. False when there is no mark to go to. */
    moveMark(direction) {
      const marks = proxies.hidden ? [] : ordered();
      if (!marks.length) return false;
      const index = marks.indexOf(focused ?? card.shown);
      goTo(index < 0 ? marks[direction > 0 ? 0 : marks.length - 1] : marks[(index + direction + marks.length) % marks.length]);
      return true;
    },
    /** The index-th mark in reading order (the popup's list of marks): as moveMark. */
    showMark(index) {
      const mark = proxies.hidden ? null : ordered()[index];
      if (!mark) return false;
      goTo(mark);
      return true;
    },
    /** The card closes with focus inside it: back to the mark under keyboard focus, if any. */
    releaseFocus() {
      if (focused) focusQuietly(proxy); // the mark keeps its place
      else active()?.blur();
    },
    /** Marks left the page: close their card. With `successor` (mark => the mark that takes its
     *  place, or null), keyboard focus on a mark that went moves on (keepPlace). */
    remove(marks, successor = null) {
      const lost = focused && marks.includes(focused) ? focused : null;
      const keyboard = pair.includes(active()) || inCard(active());
      if (card.shown && marks.includes(card.shown)) card.hide();
      if (lost) focused = null;
      if (lost && keyboard && successor) keepPlace(successor(lost));
    },
    /** Whether the marks can be reached by keyboard (they are shown). */
    get visible() {
      return !proxies.hidden;
    },
    set visible(on) {
      proxies.hidden = !on;
    },
    /** The mark under keyboard focus (null: none). */
    get focused() {
      return focused;
    },
    /** The label of the mark button with focus (null: focus is elsewhere). */
    get label() {
      return pair.includes(active()) ? active().getAttribute("aria-label") : null;
    },
  };
}
