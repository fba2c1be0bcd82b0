import assert from "node:assert/strict";
import { test } from "node:test";
import { bestRestoredSentence, MAX_QUERY_WORDS, phraseQuery } from "./original.js";

/** A span over `wording` (its first occurrence in `text`) restored as `original`. */
function span(text, wording, original) {
  const start = text.indexOf(wording);
  return { start, end: start + wording.length, text: wording, score: 0.9, suggestions: original ? [{ text: original, score: 0.8 }] : [] };
}

const first = "Russia requested China to provide it army gear after Putin started the invasion final month, in accordance with U.S. officers. It was cold.";
const second = "The request has raised issues within the White House, the officers mentioned.";

test("the sentence with the most restored words, restored, is the query", () => {
  const article = {
    paragraphs: [
      { text: first, spans: [span(first, "army gear", "military equipment"), span(first, "final month", "last month"), span(first, "in accordance with", "according to"), span(first, "officers", "officials")] },
      { text: second, spans: [span(second, "issues", "concerns")] },
    ],
  };
  const best = bestRestoredSentence(article);
  assert.equal(best.text, "Russia requested China to provide it military equipment after Putin started the invasion last month, according to U.S. officials");
  assert.equal(best.restored, 7);
  assert.equal(phraseQuery(best.text), `"${best.text}"`);
});

test("on a tie of restored words, the sentence with more distinctive terms wins", () => {
  const plain = "The man said the thing was bad. On Monday, President Biden told 40 Ukrainian envoys the thing was bad.";
  const article = { paragraphs: [{ text: plain, spans: [span(plain, "bad", "poor"), { ...span(plain.slice(40), "bad", "poor"), start: plain.lastIndexOf("bad"), end: plain.lastIndexOf("bad") + 3 }] }] };
  assert.equal(bestRestoredSentence(article).text, "On Monday, President Biden told 40 Ukrainian envoys the thing was poor");
});

test("nothing restored: no query (marks without suggestions, or none at all)", () => {
  assert.equal(bestRestoredSentence({ paragraphs: [{ text: first, spans: [span(first, "army gear", null)] }] }), null);
  assert.equal(bestRestoredSentence({ paragraphs: [{ text: first, spans: [] }] }), null);
  assert.equal(bestRestoredSentence(null), null);
});

test("a long sentence is cut to its best part, and quotes never end the phrase early", () => {
  const long = `${"word ".repeat(40)}“he said” the final month ended ${"there ".repeat(40)}`;
  const best = bestRestoredSentence({ paragraphs: [{ text: long, spans: [span(long, "final month", "last month")] }] });
  assert.equal(best.text.split(" ").length, MAX_QUERY_WORDS);
  assert.match(best.text, /^(word ){12}he said the last month ended( there){14}$/);
  assert.equal(phraseQuery('a "quoted" “word”'), '"a quoted word"');
});
