// The popup's "Copy report": a short Markdown report of the page for someone who wants to send it
// on: its title and address, the server's verdict and figures, and each mark with its likely
// original, in the reader's language. Page and model text is escaped for Markdown, so a pasted
// report shows it as text: never as a link, an image or markup. Pure (unit tests: report.test.js).
import { percent, t } from "./i18n.js";
import { summaryFigures, verdictText } from "./summary.js";

/** Text of the page or the model as Markdown inline text: one line, its markup characters escaped.
 *  @param {string} text */
export function markdownText(text) {
  return String(text).replace(/\s+/g, " ").trim().replace(/[\\`*_{}[\]()<>#+!|~&]/g, "\\$&");
}

/** A mark as a line of the report. @param {import("./message-types.js").Span} span @param {number} n its number */
function markLine(span, n) {
  const spun = markdownText(span.text);
  const confidence = percent(span.score);
  const best = span.suggestions?.[0]?.text;
  if (best) return `${n}. ${t("report_mark", spun, markdownText(best), confidence)}`;
  return `${n}. ${t(span.suggestions === null ? "report_mark_pending" : "report_mark_unknown", spun, confidence)}`;
}

/**
 * The Markdown report of an article (the content script's, shared/messages.js Article) and the
 * server's summary of it.
 * @param {import("./message-types.js").Article} article
 * @param {import("./summary.js").Summary} summary
 * @returns {string}
 */
export function markdownReport(article, summary) {
  const spans = article.paragraphs.flatMap((p) => p.spans);
  const lines = [
    `## ${t("report_title", markdownText(article.title || article.url))}`,
    "",
    t("report_page", /^https?:\/\/[^\s<>]+$/.test(article.url) ? `<${article.url}>` : markdownText(article.url)),
    "",
    `**${verdictText(summary)}** · ${summaryFigures(summary).join(" · ")}`,
    "",
  ];
  if (spans.length) lines.push(`${t("report_marks")}`, "", ...spans.map((span, i) => markLine(span, i + 1)), "");
  lines.push(`_${t("report_footer")}_`);
  return `${lines.join("\n")}\n`;
}
