// The popup's list of the page's marks (spun wording → likely original), so screen-reader users
// can list them and go to one: activating an item scrolls the page to the mark, focuses it and
// opens its card. Text goes in with textContent only.
import { requestArticle, requestShowMark } from "../shared/messages.js";
import { $ } from "../shared/controls.js";
import { t } from "../shared/i18n.js";

/** @param {import("../shared/message-types.js").Span} span */
function label(span) {
  const best = span.suggestions?.[0]?.text;
  if (best) return t("popup_mark_item", span.text, best);
  return t(span.suggestions === null ? "popup_mark_item_finding" : "popup_mark_item_unknown", span.text);
}

/** Show the marks of the page in `tabId` (again: call on each state change).
 *  @param {?number | undefined} tabId  none: no marks
 *  @param {boolean} closeAfter  close the popup once a mark is chosen (the toolbar popup) */
export async function showMarks(tabId, closeAfter) {
  const list = $("marks");
  const article = tabId != null ? await requestArticle(tabId) : null;
  const spans = (article?.paragraphs ?? []).flatMap((p) => p.spans);
  $("marks-box").hidden = !spans.length;
  list.replaceChildren(
    ...spans.map((span, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "mark-item";
      button.textContent = label(span);
      button.addEventListener("click", async () => {
        if ((await requestShowMark(/** @type {number} there are marks */ (tabId), index)) && closeAfter) window.close();
      });
      const item = document.createElement("li");
      item.append(button);
      return item;
    }),
  );
}
