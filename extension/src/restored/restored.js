// Reading view of the article with every top suggestion applied and the changed words marked.
// restored.html?tab=<id>; all page and model text goes in with textContent.
import { requestArticle } from "../shared/messages.js";
import { restoreSegments } from "../shared/restore.js";
import { $ } from "../shared/controls.js";

function restoredNode(tag, paragraph) {
  const node = document.createElement(tag);
  for (const segment of restoreSegments(paragraph.text, paragraph.spans)) {
    if (segment.original == null) {
      node.append(segment.text);
      continue;
    }
    const mark = document.createElement("mark");
    mark.className = "unspin-changed";
    mark.textContent = segment.text;
    mark.title = `The page said: ${segment.original}`;
    node.append(mark);
  }
  return node;
}

async function main() {
  const tabId = Number(new URLSearchParams(location.search).get("tab"));
  const target = $("article");
  const article = await requestArticle(tabId);
  if (!article || !article.paragraphs.length) {
    target.replaceChildren(Object.assign(document.createElement("p"), { textContent: "The page's article is not available (closed, or not analysed yet)." }));
    return;
  }
  const nodes = [];
  if (!article.paragraphs.some((p) => p.kind === "headline") && article.title) {
    nodes.push(Object.assign(document.createElement("h1"), { textContent: article.title }));
  }
  for (const p of article.paragraphs) nodes.push(restoredNode(p.kind === "headline" ? "h1" : p.kind === "heading" ? "h2" : "p", p));
  target.replaceChildren(...nodes);
  const changes = target.querySelectorAll("mark.unspin-changed").length;
  $("banner").textContent =
    `Restored by Unspin: ${changes} ${changes === 1 ? "phrase" : "phrases"} replaced by the likely original (marked; hover one to see what the page said).`;
  $("source").textContent = `Source: ${article.url}`;
  document.title = `${nodes[0]?.textContent || "Article"} · restored · Unspin`;
}

main();
