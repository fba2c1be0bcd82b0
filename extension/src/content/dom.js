// Building the overlay's elements: page and model text go in with textContent only.

/**
 * A new element with a class and text (both optional).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {?string} [className] @param {?string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}
