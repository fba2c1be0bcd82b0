// The colours every text of the hovercard is drawn in, as computed (the card lives in a closed
// shadow root, so the popup's tests and DevTools read them here, through the page state).

/** @param {string} colour  as computed: rgb() or rgba() */
function channels(colour) {
  const [r, g, b, a = 1] = /** @type {RegExpMatchArray} a computed colour has its channels */ (colour.match(/[\d.]+/g)).map(Number);
  return { r, g, b, a };
}

/** The opaque colour `node` is drawn on: its own background over its ancestors' (up to the card).
 *  @param {Element} node @param {Element} top */
function backgroundOf(node, top) {
  const layers = [];
  for (let at = /** @type {?Element} */ (node); at; at = at === top ? null : at.parentElement) {
    const colour = channels(getComputedStyle(at).backgroundColor);
    if (colour.a > 0) layers.push(colour);
    if (colour.a >= 1) break;
  }
  let out = { r: 255, g: 255, b: 255 }; // nothing opaque: the canvas
  for (const layer of layers.reverse()) {
    out = { r: layer.r * layer.a + out.r * (1 - layer.a), g: layer.g * layer.a + out.g * (1 - layer.a), b: layer.b * layer.a + out.b * (1 - layer.a) };
  }
  return `rgb(${Math.round(out.r)}, ${Math.round(out.g)}, ${Math.round(out.b)})`;
}

/** [{text, color, background, fontSize, fontWeight}] for each element of `card` that shows text
 *  of its own (a text node child, or a field's value).
 *  @param {HTMLElement} card @returns {{text: string, color: string, background: string, fontSize: string, fontWeight: string}[]} */
export function contrastColours(card) {
  const out = [];
  for (const node of [card, ...card.querySelectorAll("*")]) {
    const own = [...node.childNodes].filter((child) => child.nodeType === Node.TEXT_NODE).map((child) => /** @type {Text} */ (child).data).join("").trim();
    const text = own || (node.localName === "input" ? /** @type {HTMLInputElement} */ (node).value.trim() : "");
    if (!text || !node.getClientRects().length) continue;
    const style = getComputedStyle(node);
    out.push({ text, color: style.color, background: backgroundOf(node, card), fontSize: style.fontSize, fontWeight: style.fontWeight });
  }
  return out;
}
