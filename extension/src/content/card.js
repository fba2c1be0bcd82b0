// The hovercard: a dialog in the overlay's closed shadow root that describes one mark (its likely
// original, the alternatives, the confidence) above its actions (card-actions.js), placed by the
// mark and kept there on scroll and resize. Page and model text go in with textContent only.
import { renderActions } from "./card-actions.js";
import { readiness } from "./card-guard.js";
import { el } from "./dom.js";
import { direction, language, parts, percent, t } from "../shared/i18n.js";
import { pending } from "../shared/suggestions.js";
import { sourceLine } from "../shared/source-link.js";
import { askSource, knownSource } from "./page-source.js";

const HIDE_DELAY_MS = 250;

/** The id of the card's description: what the mark buttons are described by (mark-focus.js). */
export const DESCRIPTION_ID = "unspin-card";

/** Page or model text inside the card, which speaks the reader's language: in the page's own
 *  (none given: unknown). */
function pageText(tag, text) {
  const node = el(tag, null, text);
  node.lang = document.documentElement.lang;
  return node;
}

/** Fill the card's description of a mark (textContent only); first the page's likely source,
 *  when the reader's scans know it (page-source.js). */
function render(info, mark) {
  const { span } = mark;
  const [best, ...alternatives] = span.suggestions || [];
  info.replaceChildren();
  const source = knownSource();
  if (source) {
    const line = el("div", "unspin-source");
    line.append(...sourceLine(source));
    info.append(line);
  }
  const original = el("div", "unspin-original");
  if (best) original.append(...parts("card_likely_original", pageText("strong", best.text)));
  else original.append(t(pending(span) ? "card_finding_original" : "card_original_unknown"));
  info.append(original);
  const alts = alternatives.map((s) => s.text);
  if (alts.length) info.append(el("div", "unspin-alts", t("card_alternatives", alts.join(", "))));
  const confidence = el("div", "unspin-confidence");
  const bar = el("span", "unspin-bar");
  const fill = el("span");
  fill.style.width = `${Math.round(span.score * 100)}%`;
  bar.append(fill);
  confidence.append(bar, t("card_confidence", percent(span.score)));
  info.append(confidence);
  const spun = el("div", "unspin-spun");
  spun.append(...parts("card_spun_wording", pageText("q", span.text)));
  info.append(spun, el("div", "unspin-foot", t("card_footer", "Enter", "Esc")));
}

/**
 * The card, added to `root` (the overlay's shadow root). `highlighter` (highlighter.js) shows
 * which mark is active; `releaseFocus()` is called when the card closes with focus inside it
 * (mark-focus.js takes it back to the mark); `onPending(mark)` when it opens on a mark whose
 * suggestions are not there yet (they are asked for: `refresh` shows them).
 * @param {(mark: object) => void} [onPending]
 */
export function init(signal, root, highlighter, releaseFocus, onPending = () => {}) {
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

  /** @type {HTMLElement[]} */
  let controls = []; // the card's actions, in tab order
  let shown = null; // mark whose card is open
  let shownBy = null; // "hover" | "focus"
  let hideTimer = 0;

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

  /** Open the card on `mark`, shown by "hover" or "focus". */
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
    /** Close after a moment (the pointer left the mark), unless shown again meanwhile. */
    hideSoon() {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hide, HIDE_DELAY_MS);
    },
    /** The suggestions of `marks` came: the open card shows them (its focus stays where it was
     *  when its actions are the same). */
    refresh(marks) {
      if (!shown || !marks.includes(shown)) return;
      render(info, shown);
      const focused = controls.indexOf(root.activeElement);
      guard.shown(); // new buttons under the pointer: a click counts only after a moment (card-guard.js)
      controls = renderActions(actions, shown, guard);
      if (focused >= 0) controls[Math.min(focused, controls.length - 1)]?.focus();
      place(shown);
    },
    /** Stay open (the pointer is on the card itself). */
    keepOpen() {
      clearTimeout(hideTimer);
    },
    /** The mark whose card is open (null: closed). */
    get shown() {
      return shown;
    },
    /** How it was opened: "hover" | "focus" (null: closed). */
    get shownBy() {
      return shownBy;
    },
    /** The card's actions, in tab order. */
    get controls() {
      return controls;
    },
  };
}
