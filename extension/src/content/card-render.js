// The card's description of a mark (card.js): the page's likely source, the likely original, the
// alternatives, the confidence and the spun wording. Page and model text go in with textContent
// only, marked as the page's language.
import { el } from "./dom.js";
import { parts, percent, t } from "../shared/i18n.js";
import { pending } from "../shared/suggestions.js";
import { sourceLine } from "../shared/source-link.js";
import { knownSource } from "./page-source.js";

/** Page or model text inside the card, which speaks the reader's language: in the page's own
 *  (none given: unknown). @param {"strong"|"q"} tag @param {string} text */
function pageText(tag, text) {
  const node = el(tag, null, text);
  node.lang = document.documentElement.lang;
  return node;
}

/** Fill the card's description of a mark (textContent only); first the page's likely source,
 *  when the reader's scans know it (page-source.js).
 *  @param {HTMLElement} info @param {import("./marks.js").Mark} mark */
export function render(info, mark) {
  const { span } = mark;
  const [best, ...alternatives] = span.suggestions || [];
  info.replaceChildren();
  const source = knownSource();
  if (source) {
    const line = el("div", "unspin-source");
    line.append(...sourceLine(source));
    info.append(line);
  }
  const original = el("div", "unspin-original");
  if (best) original.append(...parts("card_likely_original", pageText("strong", best.text)));
  else original.append(t(pending(span) ? "card_finding_original" : "card_original_unknown"));
  info.append(original);
  const alts = alternatives.map((s) => s.text);
  if (alts.length) info.append(el("div", "unspin-alts", t("card_alternatives", alts.join(", "))));
  const confidence = el("div", "unspin-confidence");
  const bar = el("span", "unspin-bar");
  const fill = el("span");
  fill.style.width = `${Math.round(span.score * 100)}%`;
  bar.append(fill);
  confidence.append(bar, t("card_confidence", percent(span.score)));
  info.append(confidence);
  const spun = el("div", "unspin-spun");
  spun.append(...parts("card_spun_wording", pageText("q", span.text)));
  info.append(spun, el("div", "unspin-foot", t("card_footer", "Enter", "Esc")));
}
