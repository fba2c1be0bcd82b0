import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownReport, markdownText } from "./report.js";

const summary = { paragraphs: 1, words: 20, spans: 3, spun_words: 4, spun_ratio: 0.2, score: 0.3, verdict: "likely spun", spun_words_by_threshold: [] };
const text = "Putin started the invasion final month, in accordance with U.S. officers [1](http://x).";
const at = (wording) => ({ start: text.indexOf(wording), end: text.indexOf(wording) + wording.length, text: wording });
const article = {
  title: "Talks *stalled*",
  url: "https://news.example/a?b=1",
  paragraphs: [{ kind: "p", text, spans: [
    { ...at("final month"), score: 0.93, suggestions: [{ text: "last month", score: 0.8 }] },
    { ...at("in accordance with"), score: 0.5, suggestions: [] },
    { ...at("[1](http://x)"), score: 0.4, suggestions: null },
  ] }],
};

test("the report gives the page, the verdict with its figures and each mark with its likely original", () => {
  const report = markdownReport(article, summary);
  assert.equal(report, [
    "## Unspin report: Talks \\*stalled\\*",
    "",
    "Page: <https://news.example/a?b=1>",
    "",
    "**Likely spun** · 20% of words spun · 3 spans · 20 words",
    "",
    "Marks (spun wording → likely original):",
    "",
    "1. final month → last month (93% confidence)",
    "2. in accordance with → original unknown (50% confidence)",
    "3. \\[1\\]\\(http://x\\) (40% confidence; original not looked up yet)",
    "",
    "_Made with Unspin on the reader's computer. The marks are a model's judgement, not proof._",
    "",
  ].join("\n"));
});

test("page text never becomes markup, a link or an image, and stays on one line", () => {
  assert.equal(markdownText("![x](javascript:1) <img src=x>\n# head & `code`"), "\\!\\[x\\]\\(javascript:1\\) \\<img src=x\\> \\# head \\& \\`code\\`");
  const report = markdownReport({ ...article, url: "https://x.example/<script>" , paragraphs: [] }, { ...summary, spans: 0 });
  assert.match(report, /^Page: https:\/\/x\.example\/\\<script\\>$/m);
  assert.doesNotMatch(report, /Marks/);
});
