// The card by keyboard (mark-focus.js): Esc closes it; Enter on a mark moves focus into its card's
// actions (the card opens again after Esc); Tab and Shift+Tab go round them.

/**
 * @param {AbortSignal} signal
 * @param {{root: ShadowRoot, card: import("./card.js").Card, buttons: import("./mark-buttons.js").MarkButtons,
 *   focused: () => ?import("./marks.js").Mark}} parts  the overlay's shadow root, the card, the
 *   mark buttons and the mark under keyboard focus
 * @returns {{shiftHeld(): boolean}} whether Shift was held at the last key (focus came by Shift+Tab)
 */
export function cardKeys(signal, { root, card, buttons, focused }) {
  let shiftHeld = false;

  /** @param {KeyboardEvent} event */
  function onKeyDown(event) {
    shiftHeld = event.shiftKey;
    if (event.key === "Escape" && card.shown) {
      card.hide();
      event.stopPropagation();
    }
  }

  /** Enter (a click) on a mark: into its card's actions. @param {Event} event */
  function onProxyClick(event) {
    const mark = focused();
    if (!buttons.has(event.target) || !mark) return;
    if (card.shown !== mark) card.show(mark, "focus");
    card.controls.find((control) => !control.disabled)?.focus();
  }

  /** Tab and Shift+Tab go round the card's actions. @param {KeyboardEvent} event */
  function onCardKeyDown(event) {
    if (event.key !== "Tab") return;
    const enabled = card.controls.filter((control) => !control.disabled);
    const index = enabled.indexOf(/** @type {HTMLButtonElement} */ (root.activeElement));
    if (index < 0) return;
    event.preventDefault();
    enabled[(index + (event.shiftKey ? -1 : 1) + enabled.length) % enabled.length].focus();
  }

  document.addEventListener("keydown", onKeyDown, { signal, capture: true });
  root.addEventListener("click", onProxyClick, { signal });
  card.element.addEventListener("keydown", onCardKeyDown, { signal });
  return { shiftHeld: () => shiftHeld };
}
