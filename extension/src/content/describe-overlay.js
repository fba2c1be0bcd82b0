// Test builds only (build.mjs --test): the overlay as assistive technology meets it, for the
// browser tests, which cannot see into its closed shadow root (they read it in the content
// script's state: PageState.overlay). The shipped extension has no such window on the card.
import { appearedAt } from "./card-guard.js";
import { contrastColours } from "./contrast.js";

/** The name assistive technology gives a control of the card. @param {Element} node */
function accessibleName(node) {
  return node.getAttribute("aria-label") || node.textContent;
}

/** @param {Element} element @returns {import("../shared/message-types.js").Rect} */
function box(element) {
  const { x, y, width, height } = element.getBoundingClientRect();
  return { x, y, width, height };
}

/**
 * @param {{root: ShadowRoot, card: import("./card.js").Card, keyboard: import("./mark-focus.js").MarkFocus,
 *   announcer: import("./announcer.js").Announcer}} parts  the overlay's shadow root,
 *   card.js, mark-focus.js and announcer.js
 * @returns {import("../shared/message-types.js").OverlayState}
 */
export function describeOverlay({ root, card, keyboard, announcer }) {
  const element = card.element;
  const open = !element.hidden;
  const live = announcer.element;
  const focus = root.activeElement;
  return {
    visible: keyboard.visible,
    focused: keyboard.focused ? keyboard.focused.span.text : null,
    label: keyboard.label,
    live: { role: live.getAttribute("role"), ariaLive: live.getAttribute("aria-live"), text: live.textContent },
    card: {
      open,
      by: card.shownBy,
      role: element.getAttribute("role"),
      text: open ? element.innerText : "",
      rect: open ? box(element) : null,
      label: element.getAttribute("aria-label"),
      actions: open
        ? card.controls.filter((c) => !c.hidden).map((c) => ({ tag: c.localName, name: accessibleName(c), rect: box(c), ready: card.guard.ready(appearedAt(c)) }))
        : [],
      ready: open && card.guard.ready(), // its actions would count now (card-guard.js)
      active: focus && element.contains(focus) ? accessibleName(focus) : null,
      status: open ? (element.querySelector(".unspin-actions [role=status]")?.textContent ?? "") : "",
      colours: open ? contrastColours(element) : [],
    },
  };
}
