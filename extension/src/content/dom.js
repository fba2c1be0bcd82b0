// Building the overlay's elements: page and model text go in with textContent only.

/** A new element with a class and text (both optional). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}
