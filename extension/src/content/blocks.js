// The text nodes of an article grouped by their nearest block element (extract.js), each with
// whether a <br> comes before it; and the text nodes of a document's clone paired with the live
// page's.

const BLOCK = "p,li,blockquote,h1,h2,h3,h4,h5,h6,pre,td,th,dd,dt,figcaption,div,section,article,main,aside,header,footer";

/** @typedef {{block: Element, nodes: Text[], breaks: boolean[]}} Group  the text nodes of a block */

/** Clone-text-node -> live-text-node, by walking both identical trees in step.
 *  @param {Document} doc @param {Document} clone */
export function pairTextNodes(doc, clone) {
  /** @type {Map<Node, Text>} */
  const pairs = new Map();
  const live = doc.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  const copy = clone.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
  for (let l = live.nextNode(), c = copy.nextNode(); l && c; l = live.nextNode(), c = copy.nextNode()) pairs.set(c, /** @type {Text} */ (l));
  return pairs;
}

/** Group the text nodes under `root` by their nearest block; `toLive` maps each to the page.
 *  @param {Element} root @param {(text: Text) => Text | undefined} toLive @returns {Group[]} */
export function groupByBlock(root, toLive) {
  /** @type {Group[]} */
  const groups = [];
  /** @type {?Group} */
  let current = null;
  /** @type {?Element} */
  let block = null;
  /** @type {?Node} */
  let prev = null;
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const live = toLive(/** @type {Text} SHOW_TEXT */ (t));
    if (!live) continue;
    const b = t.parentElement?.closest(BLOCK) || root;
    if (b !== block || !current) {
      current = { block: b, nodes: [], breaks: [] };
      groups.push(current);
      block = b;
      prev = null;
    }
    const breakBefore = !!prev && (prev.nextSibling?.nodeName === "BR" || t.previousSibling?.nodeName === "BR");
    current.nodes.push(live);
    current.breaks.push(breakBefore);
    prev = t;
  }
  return groups;
}
