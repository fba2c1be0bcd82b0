// Article text: Mozilla Readability on a clone of the document, mapped back to the live
// page's text nodes; falls back to paragraphs inside article/main; and when the document itself
// holds no article, the first open shadow root (of a custom element, at any depth) that holds
// one. Returns paragraphs as {kind, nodes: Text[], map} where map.text is what the server gets
// (see text-map.js). Each frame reads its own document only (frames.js says which one counts).
import { isProbablyReaderable, Readability } from "@mozilla/readability";
import { WORD_RE } from "../shared/words.js";
import { buildTextMap } from "./text-map.js";

const BLOCK = "p,li,blockquote,h1,h2,h3,h4,h5,h6,pre,td,th,dd,dt,figcaption,div,section,article,main,aside,header,footer";
const FALLBACK = ":is(article,main,[role=main]) :is(p,li,blockquote,h1,h2,h3,h4,h5,h6)";
const MIN_WORDS = { headline: 2, heading: 2, body: 4 };

function normalise(text) {
  return text.replace(/\s+/gu, " ").trim();
}

/** Clone-text-node -> live-text-node, by walking both identical trees in step. */
function pairTextNodes(doc, clone) {
  const pairs = new Map();
  const live = doc.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  const copy = clone.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
  for (let l = live.nextNode(), c = copy.nextNode(); l && c; l = live.nextNode(), c = copy.nextNode()) pairs.set(c, l);
  return pairs;
}

/** Group the text nodes under `root` by their nearest block; `toLive` maps each to the page. */
function groupByBlock(root, toLive) {
  const groups = [];
  let current = null;
  let block = null;
  let prev = null;
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const live = toLive(t);
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

function toParagraph(kind, nodes, breaks) {
  const map = buildTextMap(nodes.map((node, i) => ({ text: node.data, breakBefore: breaks[i] })));
  return { kind, nodes, map };
}

function enough(paragraph) {
  const words = paragraph.map.text.match(WORD_RE)?.length || 0;
  return words >= MIN_WORDS[paragraph.kind];
}

function headline(doc, title, taken) {
  if (!title) return null;
  const want = normalise(title).toLowerCase();
  for (const h1 of doc.querySelectorAll("h1")) {
    const text = normalise(h1.textContent).toLowerCase();
    if (!text || !(want.includes(text) || text.includes(want))) continue;
    const group = groupByBlock(h1, (t) => t)[0];
    if (!group || group.nodes.some((n) => taken.has(n))) return null;
    return toParagraph("headline", group.nodes, group.breaks);
  }
  return null;
}

function fromReadability(doc) {
  if (!isProbablyReaderable(doc)) return null;
  const clone = doc.cloneNode(true);
  const pairs = pairTextNodes(doc, clone);
  // parse() rewrites the clone; the serializer hands back the content element itself.
  const article = new Readability(clone, { serializer: (el) => el }).parse();
  if (!article?.content) return null;
  const groups = groupByBlock(article.content, (t) => pairs.get(t));
  const paragraphs = groups.map((g) => toParagraph(g.block.matches("h1,h2,h3,h4,h5,h6") ? "heading" : "body", g.nodes, g.breaks));
  const taken = new Set(groups.flatMap((g) => g.nodes));
  const title = headline(doc, article.title, taken);
  return { title: article.title, paragraphs: title ? [title, ...paragraphs] : paragraphs };
}

/** Paragraphs inside article/main under `root` (a document or a shadow root). */
function fromFallback(root, doc) {
  const elements = [...root.querySelectorAll(FALLBACK)];
  const chosen = elements.filter((el) => !elements.some((other) => other !== el && el.contains(other)));
  const h1 = chosen.find((el) => el.matches("h1"));
  const kindOf = (el) => (el === h1 ? "headline" : el.matches("h1,h2,h3,h4,h5,h6") ? "heading" : "body");
  const paragraphs = chosen.flatMap((el) => groupByBlock(el, (t) => t).map((g) => toParagraph(kindOf(el), g.nodes, g.breaks)));
  return { title: h1 ? normalise(h1.textContent) : normalise(doc.title), paragraphs };
}

const hasBody = (article) => !!article?.paragraphs.some((p) => p.kind === "body" && enough(p));

/** The open shadow roots under `root`, in document order, nested ones after their host's. */
function* openShadowRoots(root) {
  const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    if (el.shadowRoot) {
      yield el.shadowRoot;
      yield* openShadowRoots(el.shadowRoot);
    }
  }
}

/** The article of `doc`: {title, paragraphs} (paragraphs empty when there is none). */
export function extractArticle(doc) {
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

/** Whether `doc` (or an open shadow root in it) holds an article. */
export function hasArticle(doc) {
  return extractArticle(doc).paragraphs.length > 0;
}
