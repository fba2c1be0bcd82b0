import assert from "node:assert/strict";
import { test } from "node:test";
import { THRESHOLD_SCALE } from "./api-contract.js";
import { positionOf, scalePoints, spunWordsAt } from "./sensitivity.js";

test("the scale runs from fewer marks to more, with the model's default and the setting on it", () => {
  const points = scalePoints(0.97, 0.62);
  assert.deepEqual(points, [...points].sort((a, b) => b - a));
  assert.ok(points.includes(0.97) && points.includes(0.62));
  assert.equal(points.length, THRESHOLD_SCALE.length + 2);
  assert.equal(scalePoints(THRESHOLD_SCALE[3], THRESHOLD_SCALE[3]).length, THRESHOLD_SCALE.length);
  assert.deepEqual(scalePoints(null), [...THRESHOLD_SCALE]);
});

test("a threshold sits at its point, or the nearest one", () => {
  const points = scalePoints(0.97);
  assert.equal(points[positionOf(points, 0.97)], 0.97);
  assert.equal(positionOf(points, 1), 0);
  assert.equal(positionOf(points, 0), points.length - 1);
});

test("what a point would mark comes from the server's answer", () => {
  const summary = { spun_words_by_threshold: [{ threshold: 0.97, spun_words: 7 }, { threshold: 0.1, spun_words: 23 }] };
  assert.equal(spunWordsAt(summary, 0.1), 23);
  assert.equal(spunWordsAt(summary, 0.97), 7);
  assert.equal(spunWordsAt(summary, 0.5), null);
  assert.equal(spunWordsAt(null, 0.5), null);
});
