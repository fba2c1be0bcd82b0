// Reading view of the article with every top suggestion applied and the changed words marked,
// with the page's likely source when the reader's scans know it, and "Find the original" (a web
// search, background/find-original.js). restored.html?tab=<id>; all page and model text goes in
// with textContent.
import { requestArticle, requestFindOriginal, requestPageSource } from "../shared/messages.js";
import { searchNote } from "../shared/original.js";
import { sourceLine } from "../shared/source-link.js";
import { restoreSegments } from "../shared/restore.js";
import { $ } from "../shared/controls.js";
import { localize, plural, t } from "../shared/i18n.js";

localize();

/** A paragraph's element, its restored wording marked.
 *  @param {string} tag @param {{text: string, spans: import("../shared/message-types.js").Span[]}} paragraph */
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
    mark.title = t("restored_page_said", segment.original);
    node.append(mark);
  }
  return node;
}

async function main() {
  const tabId = Number(new URLSearchParams(location.search).get("tab"));
  const target = $("article");
  const article = await requestArticle(tabId);
  if (!article || !article.paragraphs.length) {
    target.replaceChildren(Object.assign(document.createElement("p"), { textContent: t("restored_unavailable") }));
    return;
  }
  const nodes = [];
  if (!article.paragraphs.some((p) => p.kind === "headline") && article.title) {
    nodes.push(Object.assign(document.createElement("h1"), { textContent: article.title }));
  }
  for (const p of article.paragraphs) nodes.push(restoredNode(p.kind === "headline" ? "h1" : p.kind === "heading" ? "h2" : "p", p));
  target.replaceChildren(...nodes);
  const changes = target.querySelectorAll("mark.unspin-changed").length;
  $("banner").textContent = plural("restored_banner_count", changes);
  $("source").textContent = t("restored_source", article.url);
  // The likely source the reader's scans know, first; then the web search, when asked.
  const source = await requestPageSource(article.url).catch(() => null);
  if (source) {
    $("page-source").replaceChildren(...sourceLine(source));
    $("page-source").hidden = false;
  }
  $("find-original").disabled = changes === 0;
  $("find-original").addEventListener("click", async () => {
    $("action-status").textContent = searchNote(await requestFindOriginal(tabId).catch(() => null));
  });
  document.title = t("restored_document_title", nodes[0]?.textContent || t("restored_untitled"));
}

main();
