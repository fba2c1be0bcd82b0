// The small "Unspin is reading this article" indicator in a corner of the page: shown from the
// moment the article is sent until its marks arrive or it fails, with the same words as the
// popup (shared/page-status.js: starting the server, reading, busy and retrying). It is a host
// element with a closed shadow root, lets clicks through and never takes focus; its text is only
// ever set as text. Only the frame that speaks for the tab shows it (main.js).
import { STATUS, statusText } from "../shared/page-status.js";
import { direction, language } from "../shared/i18n.js";

/** The statuses during which the indicator shows. @type {Set<string>} */
const SHOWN = new Set([STATUS.LAUNCHING, STATUS.ANALYSING, STATUS.BUSY]);
const TAG = "unspin-indicator";
const HOST_STYLE = ["all: initial", "position: fixed", "right: 12px", "bottom: 12px", "z-index: 2147483646", "pointer-events: none"]
  .map((rule) => `${rule} !important`)
  .join(";");
const CSS = `div { font: 12px/1.4 system-ui, sans-serif; color: #1f2328; background: #fff8c5; border: 1px solid #d4a72c;
  border-radius: 6px; padding: 4px 8px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.2); max-width: 20em; }
@media (prefers-reduced-motion: no-preference) { div { animation: unspin-fade 0.2s ease-in; } }
@keyframes unspin-fade { from { opacity: 0; } to { opacity: 1; } }`;

/** @typedef {{update(state: import("../shared/message-types.js").PageState): void}} Indicator
 *  update: follow the page's state */

/** @param {import("./features.js").FeatureContext} context  aborted: removes the indicator
 *  @returns {Indicator} */
export function init({ signal }) {
  /** @type {?HTMLElement} */
  let host = null;
  /** @type {?HTMLElement} */
  let text = null;

  /** @returns {HTMLElement} the text's element */
  function ensure() {
    if (host?.isConnected && text) return text;
    host = document.createElement(TAG);
    host.setAttribute("style", HOST_STYLE);
    const root = host.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = CSS;
    text = document.createElement("div");
    text.setAttribute("role", "status");
    text.lang = language(); // the extension's language, not the page's
    text.dir = direction();
    root.append(style, text);
    document.documentElement.append(host);
    return text;
  }

  function hide() {
    host?.remove();
    host = null;
  }

  signal.addEventListener("abort", hide);

  return {
    update(state) {
      if (!SHOWN.has(state.status)) return hide();
      ensure().textContent = statusText(state);
    },
  };
}
