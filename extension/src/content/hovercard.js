// Hovercard and keyboard access, drawn in a closed shadow root on an overlay host outside
// <body>: page scripts cannot read the suggestions (tests and the popup read `describe()`
// through the content script's state message instead).
// Hover: the pointer position is mapped to a mark (caret position + the range's rects), so no
// element covers the page's text (links inside a span stay clickable). Keyboard: a pair of
// visually hidden buttons roves over the marks in reading order: Tab (Shift+Tab) moves to the
// next (previous) mark, past the last one focus leaves as usual; focus shows the card and
// scrolls the mark into view; Esc closes the card. Two buttons taking turns make screen
// readers announce each mark; one button per mark cost ~0.05 ms each to insert. The browser
// commands "next-mark"/"previous-mark" (moveMark) move the same focus from anywhere on the page
// and announce the mark and its suggestion in a polite live region. Enter on a mark moves focus
// into its card's actions (card-actions.js); Tab and Shift+Tab go round them, Esc goes back to
// the mark. When the mark under keyboard focus is dismissed ("Not spun"), focus goes on to the
// mark that takes its place (its card opens), or, when no mark remains, the live region says so
// and focus goes back to the page.
// Page and model text go in with textContent only.
import { renderActions } from "./card-actions.js";
import { appearedAt, keepHost, readiness } from "./card-guard.js";
import { contrastColours } from "./contrast.js";
import { el } from "./dom.js";
import css from "./hovercard.css";

const HIDE_DELAY_MS = 250;
const NO_MARKS_LEFT = "No marks remain on this page.";
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

function percent(score) {
  return `${Math.round(score * 100)}%`;
}

function caretNode(x, y) {
  if (document.caretPositionFromPoint) return document.caretPositionFromPoint(x, y)?.offsetNode || null;
  return document.caretRangeFromPoint?.(x, y)?.startContainer || null;
}

function contains(rect, x, y) {
  return x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom;
}

/** Fill the card's description of a mark (textContent only). */
function render(card, mark) {
  const { span } = mark;
  const [best, ...alternatives] = span.suggestions || [];
  card.replaceChildren();
  const original = el("div", "unspin-original");
  if (best) original.append("Likely original: ", el("strong", null, best.text));
  else original.append("Likely spun wording (no suggestion)");
  card.append(original);
  const alts = alternatives.map((s) => s.text);
  if (alts.length) card.append(el("div", "unspin-alts", `Also: ${alts.join(", ")}`));
  const confidence = el("div", "unspin-confidence");
  const bar = el("span", "unspin-bar");
  const fill = el("span");
  fill.style.width = percent(span.score);
  bar.append(fill);
  confidence.append(bar, `Confidence ${percent(span.score)}`);
  card.append(confidence);
  const spun = el("div", "unspin-spun", "Spun wording: ");
  spun.append(el("q", null, span.text));
  card.append(spun, el("div", "unspin-foot", "Unspin · Enter for actions · Esc to close"));
}

/** The name assistive technology gives a control of the card. */
function accessibleName(node) {
  return node.getAttribute("aria-label") || node.textContent;
}

/**
 * @param highlighter  see highlighter.js
 * @param ordered      () => every mark in reading order (asked only on keyboard use)
 */
export function init(signal, highlighter, ordered) {
  const host = document.createElement("unspin-overlay");
  host.setAttribute("style", HOST_STYLE);
  const root = host.attachShadow({ mode: "closed" });
  const style = el("style", null, css);
  const proxies = el("div", "unspin-proxies");
  const pair = [el("button"), el("button")];
  for (const button of pair) {
    button.type = "button";
    button.setAttribute("aria-describedby", "unspin-card");
  }
  proxies.append(...pair);
  const card = el("div", "unspin-card");
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-label", "Unspin: spun wording");
  card.hidden = true;
  const info = el("div");
  info.id = "unspin-card"; // what the marks are described by
  const actions = el("div", "unspin-actions");
  actions.setAttribute("role", "group");
  actions.setAttribute("aria-label", "Correct this mark");
  card.append(info, actions);
  let controls = []; // the card's actions, in tab order
  const live = el("div", "unspin-live");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  root.append(style, proxies, card, live);
  document.documentElement.append(host);
  keepHost(host, HOST_STYLE, document.documentElement, signal); // the page may restyle or remove it
  const guard = readiness(card, signal);

  let focused = null; // mark under keyboard focus
  let shiftHeld = false;
  let shown = null; // mark whose card is open
  let shownBy = null; // "hover" | "focus"
  let hideTimer = 0;
  let moving = false; // moveMark is focusing a proxy button itself
  let proxy = pair[0]; // the proxy button that last had focus (focus goes back there from the card)

  function place(mark) {
    const rects = mark.range.getClientRects();
    const rect = rects[0] || mark.range.getBoundingClientRect();
    const { innerWidth: vw, innerHeight: vh } = window;
    const box = card.getBoundingClientRect();
    const left = Math.max(8, Math.min(rect.left, vw - box.width - 8));
    const below = rect.bottom + 6;
    const top = below + box.height > vh && rect.top - box.height - 6 > 0 ? rect.top - box.height - 6 : below;
    card.style.left = `${left}px`;
    card.style.top = `${top}px`;
  }

  function show(mark, by) {
    clearTimeout(hideTimer);
    if (shown !== mark || card.hidden) guard.shown(); // a card opening, or showing another mark
    if (shown !== mark) {
      render(info, mark);
      controls = renderActions(actions, mark, guard);
      shown = mark;
    }
    shownBy = by;
    card.hidden = false;
    highlighter.setActive(mark);
    place(mark);
  }

  function hide() {
    clearTimeout(hideTimer);
    if (card.contains(root.activeElement) && focused) {
      moving = true; // back to the mark, which keeps its place
      try {
        proxy.focus({ preventScroll: true });
      } finally {
        moving = false;
      }
    } else if (card.contains(root.activeElement)) root.activeElement.blur();
    card.hidden = true;
    guard.hidden();
    shown = null;
    shownBy = null;
    highlighter.setActive(null);
  }

  function markAt(x, y) {
    const node = caretNode(x, y);
    const candidates = node && highlighter.marksAt(node);
    if (!candidates) return null;
    for (const mark of candidates) for (const rect of mark.range.getClientRects()) if (contains(rect, x, y)) return mark;
    return null;
  }

  let frame = 0;
  let pointer = null;
  function onPointerMove(event) {
    pointer = { x: event.clientX, y: event.clientY, onCard: event.target === host };
    if (!frame) frame = requestAnimationFrame(checkPointer);
  }
  function checkPointer() {
    frame = 0;
    if (!highlighter.visible || !pointer) return;
    if (pointer.onCard) {
      clearTimeout(hideTimer); // on the card itself
      return;
    }
    const mark = markAt(pointer.x, pointer.y);
    if (mark) show(mark, "hover");
    else if (shownBy === "hover") {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hide, HIDE_DELAY_MS);
    }
  }

  function onKeyDown(event) {
    shiftHeld = event.shiftKey;
    if (event.key === "Escape" && shown) {
      hide();
      event.stopPropagation();
    }
  }

  function describeMark(mark) {
    const best = mark.span.suggestions?.[0]?.text;
    return `Possibly spun: ${mark.span.text}.${best ? ` Likely original: ${best}.` : ""}`;
  }

  function label(button, mark) {
    button.setAttribute("aria-label", describeMark(mark));
  }

  function focusMark(mark) {
    focused = mark;
    const rect = mark.range.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "instant" });
    }
    show(mark, "focus");
  }

  function onFocus(event) {
    if (!pair.includes(event.target)) return;
    proxy = event.target;
    if (moving) return;
    if ((pair.includes(event.relatedTarget) || card.contains(event.relatedTarget)) && focused) return; // turn-taking, or back from the card
    const marks = ordered();
    if (!marks.length) return;
    const mark = shiftHeld ? marks[marks.length - 1] : marks[0];
    label(event.target, mark);
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
    label(other, next);
    focused = next;
    other.focus();
    focusMark(next);
  }

  function onBlur(event) {
    if (pair.includes(event.relatedTarget) || card.contains(event.relatedTarget)) return;
    focused = null;
    if (shownBy === "focus") hide();
  }

  /** Enter (a click) on a mark: into its card's actions (the card opens again after Esc). */
  function onProxyClick(event) {
    if (!pair.includes(event.target) || !focused) return;
    if (shown !== focused) show(focused, "focus");
    controls.find((control) => !control.disabled)?.focus();
  }

  /** Tab and Shift+Tab go round the card's actions. */
  function onCardKeyDown(event) {
    if (event.key !== "Tab") return;
    const enabled = controls.filter((control) => !control.disabled);
    const index = enabled.indexOf(root.activeElement);
    if (index < 0) return;
    event.preventDefault();
    enabled[(index + (event.shiftKey ? -1 : 1) + enabled.length) % enabled.length].focus();
  }

  function onScroll() {
    if (shown) place(shown);
  }

  const options = { signal, passive: true };
  document.addEventListener("pointermove", onPointerMove, options);
  document.addEventListener("keydown", onKeyDown, { signal, capture: true });
  window.addEventListener("scroll", onScroll, { ...options, capture: true });
  window.addEventListener("resize", onScroll, options);
  root.addEventListener("focusin", onFocus, { signal });
  root.addEventListener("focusout", onBlur, { signal });
  root.addEventListener("keydown", onPairKeyDown, { signal });
  root.addEventListener("click", onProxyClick, { signal });
  card.addEventListener("keydown", onCardKeyDown, { signal });
  signal.addEventListener("abort", () => {
    clearTimeout(hideTimer);
    cancelAnimationFrame(frame);
    host.remove();
  });

  /** Focus the next (1) or previous (-1) mark after the one focused or shown, round the ends;
   *  open its card and announce it. False when there is no mark to go to. */
  function moveMark(direction) {
    const marks = proxies.hidden ? [] : ordered();
    if (!marks.length) return false;
    const index = marks.indexOf(focused ?? shown);
    const next = index < 0 ? marks[direction > 0 ? 0 : marks.length - 1] : marks[(index + direction + marks.length) % marks.length];
    goTo(next);
    return true;
  }

  /** The index-th mark in reading order (the popup's list of marks): as moveMark. */
  function showMark(index) {
    const mark = proxies.hidden ? null : ordered()[index];
    if (!mark) return false;
    goTo(mark);
    return true;
  }

  /** Focus a mark from elsewhere (a command, the popup) and open its card. */
  function focusFromElsewhere(next) {
    const button = root.activeElement === pair[0] ? pair[1] : pair[0];
    label(button, next);
    moving = true;
    try {
      button.focus({ preventScroll: true });
    } finally {
      moving = false;
    }
    focusMark(next);
  }

  /** As focusFromElsewhere, and announce the mark. */
  function goTo(next) {
    focusFromElsewhere(next);
    live.textContent = describeMark(next);
  }

  /** The mark under keyboard focus went: on to `next` (its label is announced as it takes focus),
   *  or, when none remains, say so and leave the marks. */
  function keepPlace(next) {
    if (next) {
      focusFromElsewhere(next);
      return;
    }
    live.textContent = NO_MARKS_LEFT;
    root.activeElement?.blur(); // focus goes back to the page
  }

  return {
    moveMark,
    showMark,
    /** The overlay as assistive technology meets it (the shadow root is closed to pages). */
    describe() {
      const active = root.activeElement;
      const rect = card.hidden ? null : card.getBoundingClientRect();
      return {
        visible: !proxies.hidden,
        focused: focused ? focused.span.text : null,
        label: pair.includes(active) ? active.getAttribute("aria-label") : null,
        live: { role: live.getAttribute("role"), ariaLive: live.getAttribute("aria-live"), text: live.textContent },
        card: {
          open: !card.hidden,
          by: shownBy,
          role: card.getAttribute("role"),
          text: card.hidden ? "" : card.innerText,
          rect: rect && { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
          label: card.getAttribute("aria-label"),
          actions: card.hidden ? [] : controls.filter((c) => !c.hidden).map((c) => {
            const box = c.getBoundingClientRect();
            const rect = { x: box.x, y: box.y, width: box.width, height: box.height };
            return { tag: c.localName, name: accessibleName(c), rect, ready: guard.ready(appearedAt(c)) };
          }),
          ready: !card.hidden && guard.ready(), // its actions would count now (card-guard.js)
          active: card.contains(root.activeElement) ? accessibleName(root.activeElement) : null,
          status: card.hidden ? "" : actions.querySelector("[role=status]")?.textContent ?? "",
          colours: card.hidden ? [] : contrastColours(card),
        },
      };
    },
    /** Marks left the page: close their card. With `successor` (mark => the mark that takes its
     *  place, or null), keyboard focus on a mark that went moves on (keepPlace). */
    remove(marks, successor = null) {
      const lost = focused && marks.includes(focused) ? focused : null;
      const keyboard = pair.includes(root.activeElement) || card.contains(root.activeElement);
      if (shown && marks.includes(shown)) hide();
      if (lost) focused = null;
      if (lost && keyboard && successor) keepPlace(successor(lost));
    },
    setVisible(on) {
      proxies.hidden = !on;
      if (!on) hide();
    },
    hide,
  };
}
