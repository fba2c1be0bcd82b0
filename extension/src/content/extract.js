// Article text: Mozilla Readability on a clone of the document, mapped back to the live
// page's text nodes; falls back to paragraphs inside article/main; and when the document itself
// holds no article, the first open shadow root (of a custom element, at any depth) that holds
// one. Returns paragraphs as {kind, nodes: Text[], map} where map.text is what the server gets
// (see text-map.js). Each frame reads its own document only (frames.js says which one counts).
import { isProbablyReaderable, Readability } from "@mozilla/readability";
import { WORD_RE } from "../shared/words.js";
import { groupByBlock, pairTextNodes } from "./blocks.js";
import { buildTextMap } from "./text-map.js";

const FALLBACK = ":is(article,main,[role=main]) :is(p,li,blockquote,h1,h2,h3,h4,h5,h6)";
const MIN_WORDS = { headline: 2, heading: 2, body: 4 };

/** @typedef {keyof MIN_WORDS} Kind  "headline" | "heading" | "body" */
/** @typedef {{kind: Kind, nodes: Text[], map: import("./text-map.js").TextMap}} Paragraph */
/** @typedef {{title: ?string | undefined, paragraphs: Paragraph[]}} Found  an article found, or not (no body) */

/** @param {string} text */
function normalise(text) {
  return text.replace(/\s+/gu, " ").trim();
}

/** @param {Kind} kind @param {Text[]} nodes @param {boolean[]} breaks @returns {Paragraph} */
function toParagraph(kind, nodes, breaks) {
  const map = buildTextMap(nodes.map((node, i) => ({ text: node.data, breakBefore: breaks[i] })));
  return { kind, nodes, map };
}

/** @param {Paragraph} paragraph */
function enough(paragraph) {
  const words = paragraph.map.text.match(WORD_RE)?.length || 0;
  return words >= MIN_WORDS[paragraph.kind];
}

/** @param {Document} doc @param {?string | undefined} title @param {Set<Text>} taken @returns {?Paragraph} */
function headline(doc, title, taken) {
  if (!title) return null;
  const want = normalise(title).toLowerCase();
  for (const h1 of doc.querySelectorAll("h1")) {
    const text = normalise(h1.textContent ?? "").toLowerCase(); // an element's is never null
    if (!text || !(want.includes(text) || text.includes(want))) continue;
    const group = groupByBlock(h1, (t) => t)[0];
    if (!group || group.nodes.some((n) => taken.has(n))) return null;
    return toParagraph("headline", group.nodes, group.breaks);
  }
  return null;
}

/** @param {Document} doc @returns {?Found} */
function fromReadability(doc) {
  if (!isProbablyReaderable(doc)) return null;
  const clone = /** @type {Document} */ (doc.cloneNode(true));
  const pairs = pairTextNodes(doc, clone);
  // parse() rewrites the clone; the serializer hands back the content element itself.
  const article = new Readability(clone, { serializer: (el) => /** @type {Element} */ (el) }).parse();
  if (!article?.content) return null;
  const groups = groupByBlock(article.content, (t) => pairs.get(t));
  const paragraphs = groups.map((g) => toParagraph(g.block.matches("h1,h2,h3,h4,h5,h6") ? "heading" : "body", g.nodes, g.breaks));
  const taken = new Set(groups.flatMap((g) => g.nodes));
  const title = headline(doc, article.title, taken);
  return { title: article.title, paragraphs: title ? [title, ...paragraphs] : paragraphs };
}

/** Paragraphs inside article/main under `root` (a document or a shadow root).
 *  @param {Document | ShadowRoot} root @param {Document} doc @returns {Found} */
function fromFallback(root, doc) {
  const elements = [...root.querySelectorAll(FALLBACK)];
  const chosen = elements.filter((el) => !elements.some((other) => other !== el && el.contains(other)));
  const h1 = chosen.find((el) => el.matches("h1"));
  const kindOf = (/** @type {Element} */ el) => (el === h1 ? "headline" : el.matches("h1,h2,h3,h4,h5,h6") ? "heading" : "body");
  const paragraphs = chosen.flatMap((el) => groupByBlock(el, (t) => t).map((g) => toParagraph(kindOf(el), g.nodes, g.breaks)));
  return { title: h1 ? normalise(h1.textContent ?? "") : normalise(doc.title), paragraphs };
}

/** @type {(article: ?Found) => article is Found} */
const hasBody = (article) => !!article?.paragraphs.some((p) => p.kind === "body" && enough(p));

/** The open shadow roots under `root`, in document order, nested ones after their host's.
 *  @param {Document | ShadowRoot} root @returns {Generator<ShadowRoot>} */
function* openShadowRoots(root) {
  const walker = /** @type {Document} */ (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = /** @type {Element} SHOW_ELEMENT */ (node);
    if (el.shadowRoot) {
      yield el.shadowRoot;
      yield* openShadowRoots(el.shadowRoot);
    }
  }
}

/** The article of `doc`: {title, paragraphs} (paragraphs empty when there is none).
 *  @param {Document} doc @returns {{title: string, paragraphs: Paragraph[]}} */
export function extractArticle(doc) {
  /** @type {?Found} */
  let article = null;
  try {
    article = fromReadability(doc);
  } catch {
    article = null; // Readability failing on an odd page must not stop the fallback
  }
  if (!hasBody(article)) article = fromFallback(doc, doc);
  if (!hasBody(article)) {
    for (const root of openShadowRoots(doc)) {
      const inShadow = fromFallback(root, doc);
      if (hasBody(inShadow)) {
        article = inShadow;
        break;
      }
    }
  }
  // Headings alone are no article (and a frame with only a title leaves its article to a child
  // frame: frames.js).
  return { title: article.title || "", paragraphs: hasBody(article) ? article.paragraphs.filter(enough) : [] };
}

/** Whether `doc` (or an open shadow root in it) holds an article. @param {Document} doc */
export function hasArticle(doc) {
  return extractArticle(doc).paragraphs.length > 0;
}
