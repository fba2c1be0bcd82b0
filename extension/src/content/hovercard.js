// The hovercard overlay: a host element outside <body> with a closed shadow root, so page scripts
// can neither read the suggestions nor restyle them, holding the card (card.js), the keyboard's
// mark buttons (mark-focus.js) and the live region (announcer.js); hover.js opens the card under
// the pointer. The page may restyle or remove the host: card-guard.js puts it back.
import { init as initAnnouncer } from "./announcer.js";
import { init as initCard } from "./card.js";
import { keepHost } from "./card-guard.js";
import { describeOverlay } from "./describe-overlay.js";
import { el } from "./dom.js";
import { init as initHover } from "./hover.js";
import css from "./hovercard.css";
import { init as initMarkFocus } from "./mark-focus.js";

const HOST_STYLE = [
  "all: initial",
  "display: block",
  "position: fixed",
  "top: 0",
  "left: 0",
  "width: 0",
  "height: 0",
  "overflow: visible",
  "visibility: visible",
  "opacity: 1",
  "z-index: 2147483647",
].map((rule) => `${rule} !important`).join(";");

/**
 * @param {AbortSignal} signal  removes the overlay
 * @param highlighter  see highlighter.js
 * @param {() => object[]} ordered  every mark in reading order (asked only on keyboard use)
 * @param {(mark: object) => void} onPending  the card opened on a mark still without suggestions
 */
export function init(signal, highlighter, ordered, onPending = (_mark) => {}) {
  const host = document.createElement("unspin-overlay");
  host.setAttribute("style", HOST_STYLE);
  const root = host.attachShadow({ mode: "closed" });
  root.append(el("style", null, css));
  const card = initCard(signal, root, highlighter, () => keyboard.releaseFocus(), onPending);
  const announcer = initAnnouncer(root);
  const keyboard = initMarkFocus(signal, { root, card, announcer, ordered });
  initHover(signal, { host, highlighter, card });
  document.documentElement.append(host);
  keepHost(host, HOST_STYLE, document.documentElement, signal);
  signal.addEventListener("abort", () => host.remove());

  return {
    moveMark: keyboard.moveMark,
    showMark: keyboard.showMark,
    remove: keyboard.remove,
    /** The suggestions of these marks came (marks.js): the open card shows them. */
    refresh: (marks) => card.refresh(marks),
    setVisible(on) {
      keyboard.visible = on;
      if (!on) card.hide();
    },
    /** Test builds only: the overlay as assistive technology meets it (describe-overlay.js). */
    describe: __TEST_BUILD__ ? () => describeOverlay({ root, card, keyboard, announcer }) : null,
  };
}
