// Marks inside shadow trees. The highlights are registered per document (CSS.highlights), so
// they cover ranges in the document's open shadow roots too, but the ::highlight() styles
// (content.css, which the browser adds to documents only) do not reach into a shadow tree in
// Firefox (Chromium passes them on from the host): each shadow root that holds marks adopts them
// as a constructable stylesheet (no element added; tests/browser/test_firefox.py checks that the
// marks are painted).
import css from "./content.css";

/** @type {?CSSStyleSheet} */
let sheet = null;
/** @type {WeakSet<ShadowRoot>} */
const styled = new WeakSet();

/** Give the shadow root that holds `node` (if any) the marks' styles. @param {Node} node */
export function styleShadowRootOf(node) {
  const root = node.getRootNode();
  if (!(root instanceof ShadowRoot) || styled.has(root)) return;
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  styled.add(root);
}
