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

/** @typedef {import("./marks.js").Mark} Mark */

/**
 * The overlay's interface (the feature "hovercard", features.js).
 * @typedef {object} Hovercard
 * @property {(direction: number) => boolean} moveMark  keyboard focus to the next (1) or previous
 *   (-1) mark (a browser command)
 * @property {(index: number) => boolean} showMark  the index-th mark (the popup's list)
 * @property {(marks: Mark[], successor?: ?((mark: Mark) => ?Mark)) => void} remove  marks left the page
 * @property {(marks: Mark[]) => void} refresh  the suggestions of these marks came (marks.js): the
 *   open card shows them
 * @property {(on: boolean) => void} setVisible  the marks shown or hidden (the reader's setting)
 * @property {?(() => import("../shared/message-types.js").OverlayState)} describe  test builds only:
 *   the overlay as assistive technology meets it (describe-overlay.js)
 */

/**
 * The overlay; the session (features.session, read when asked) gives the marks in reading order
 * (asked only on keyboard use) and asks for the suggestions of a card opened on a mark without them.
 * @param {import("./features.js").FeatureContext} context  removes the overlay when aborted
 * @returns {Hovercard}
 */
export function init({ signal, settings, features }) {
  const { highlighter } = features;
  if (!highlighter) throw new Error("no highlighter");
  const ordered = () => features.session?.ordered() ?? [];
  /** @param {Mark} mark */
  const onPending = (mark) => features.session?.needSuggestions(mark);
  const host = document.createElement("unspin-overlay");
  host.setAttribute("style", HOST_STYLE);
  const root = host.attachShadow({ mode: "closed" });
  root.append(el("style", null, css));
  const card = initCard(signal, { root, highlighter, releaseFocus: () => keyboard.releaseFocus(), onPending });
  const announcer = initAnnouncer(root);
  const keyboard = initMarkFocus(signal, { root, card, announcer, ordered });
  initHover(signal, { host, highlighter, card });
  document.documentElement.append(host);
  keepHost(host, HOST_STYLE, document.documentElement, signal);
  signal.addEventListener("abort", () => host.remove());

  /** @param {boolean} on */
  function setVisible(on) {
    keyboard.visible = on;
    if (!on) card.hide();
  }
  setVisible(settings.highlights);

  return {
    moveMark: keyboard.moveMark,
    showMark: keyboard.showMark,
    remove: keyboard.remove,
    refresh: (marks) => card.refresh(marks),
    setVisible,
    describe: __TEST_BUILD__ ? () => describeOverlay({ root, card, keyboard, announcer }) : null,
  };
}
