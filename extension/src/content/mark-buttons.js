// The pair of visually hidden buttons that roves over the marks in reading order (mark-focus.js):
// two buttons taking turns make screen readers announce each mark; one button per mark cost
// ~0.05 ms each to insert. They come before the card in the overlay's tab order.
import { DESCRIPTION_ID } from "./card.js";
import { el } from "./dom.js";
import { language } from "../shared/i18n.js";

/**
 * @typedef {object} MarkButtons
 * @property {HTMLElement} proxies  the buttons' container (hidden: the marks are not shown)
 * @property {HTMLButtonElement[]} pair
 * @property {(node: unknown) => node is HTMLButtonElement} has  whether `node` is one of them
 * @property {(button: HTMLButtonElement) => HTMLButtonElement} other  the one that takes the next turn
 * @property {(button: HTMLButtonElement) => void} focusQuietly  focus without the focus handler
 *   taking it for the reader's Tab
 * @property {() => boolean} moving  whether focusQuietly is under way
 */

/** The buttons, added before `card` (card.js). @param {HTMLElement} card @returns {MarkButtons} */
export function markButtons(card) {
  const proxies = el("div", "unspin-proxies");
  proxies.lang = language(); // their labels are in the extension's language
  const pair = [el("button"), el("button")];
  for (const button of pair) {
    button.setAttribute("type", "button");
    button.setAttribute("aria-describedby", DESCRIPTION_ID);
  }
  proxies.append(...pair);
  card.before(proxies); // the marks come before the card in the overlay's tab order
  let moving = false;
  /** @param {unknown} node @returns {node is HTMLButtonElement} */
  const has = (node) => node instanceof HTMLButtonElement && pair.includes(node);
  return {
    proxies,
    pair,
    has,
    other: (button) => pair[1 - pair.indexOf(button)],
    focusQuietly(button) {
      moving = true;
      try {
        button.focus({ preventScroll: true });
      } finally {
        moving = false;
      }
    },
    moving: () => moving,
  };
}
