import assert from "node:assert/strict";
import { test } from "node:test";
import { pendingRanges, placeSpans } from "./suggestions.js";

const span = (start, end, suggestions = null) => ({ start, end, text: "x".repeat(end - start), score: 0.9, suggestions });

test("a restored span takes the place of the pending one", () => {
  const results = [{ spans: [span(0, 4), span(10, 14)] }, null];
  const changed = placeSpans(results, [{ paragraph: 0, ...span(10, 14, [{ text: "y", score: 0.5 }]) }]);
  assert.deepEqual([...changed], [0]);
  assert.deepEqual(results[0].spans.map((s) => [s.start, s.suggestions]), [[0, null], [10, [{ text: "y", score: 0.5 }]]]);
});

test("a run given as one span comes back as a span per word", () => {
  const results = [{ spans: [span(0, 9)] }];
  placeSpans(results, [{ paragraph: 0, ...span(0, 4, []) }, { paragraph: 0, ...span(5, 9, []) }]);
  assert.deepEqual(results[0].spans.map((s) => [s.start, s.end]), [[0, 4], [5, 9]]);
});

test("the same restored span twice is kept once; a paragraph not analysed is left alone", () => {
  const results = [{ spans: [span(0, 4)] }, null];
  placeSpans(results, [{ paragraph: 0, ...span(0, 4, []) }]);
  const changed = placeSpans(results, [{ paragraph: 0, ...span(0, 4, []) }, { paragraph: 1, ...span(0, 4, []) }]);
  assert.equal(results[0].spans.length, 1);
  assert.equal(results[1], null);
  assert.deepEqual([...changed], [0]);
});

test("pending ranges come first for the paragraphs asked first, then in reading order", () => {
  const results = [{ spans: [span(0, 4)] }, { spans: [span(1, 2, [])] }, { spans: [span(3, 5)] }];
  assert.deepEqual(pendingRanges(results, [2]), [{ paragraph: 2, start: 3, end: 5 }, { paragraph: 0, start: 0, end: 4 }]);
});
