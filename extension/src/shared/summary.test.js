import assert from "node:assert/strict";
import { test } from "node:test";
import { leadSentence, restoreSegments, restoreText } from "./restore.js";
import { countWords, summarise } from "./summary.js";

const text = "Putin started a full-scale invasion final month, officials said.";
const spans = [{ start: 36, end: 47, text: "final month", score: 0.9, suggestions: [{ text: "last month" }] }];

test("counts words like the server and the spun ones", () => {
  assert.deepEqual(countWords(text, spans), { words: 9, spunWords: 2 });
});

test("page figures sum paragraphs; the verdict is the server's for the article", () => {
  const article = { score: 0.35, verdict: "likely spun" };
  const s = summarise([{ words: 9, spunWords: 2, spans }, { words: 11, spunWords: 0, spans: [] }], article);
  assert.equal(s.paragraphs, 2);
  assert.equal(s.words, 20);
  assert.equal(s.spans, 1);
  assert.equal(s.spunRatio, 0.1);
  assert.equal(s.score, 0.35);
  assert.equal(s.verdict, "likely spun");
  assert.deepEqual(summarise([]), { paragraphs: 0, words: 0, spunWords: 0, spans: 0, spunRatio: 0, score: 0, verdict: "no sign of spinning" });
});

test("restores the top suggestion and keeps the spun wording", () => {
  assert.equal(restoreText(text, spans), "Putin started a full-scale invasion last month, officials said.");
  assert.deepEqual(restoreSegments(text, spans)[1], { text: "last month", original: "final month" });
  assert.equal(leadSentence("Dr. Who came. Then left."), "Dr.");
  assert.equal(leadSentence("It began. Then more."), "It began.");
});
