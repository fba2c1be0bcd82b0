import assert from "node:assert/strict";
import { test } from "node:test";
import { restoreSegments, restoreText } from "./restore.js";

const text = "Putin started a full-scale invasion final month, officials said.";
const spans = [{ start: 36, end: 47, text: "final month", score: 0.9, suggestions: [{ text: "last month" }] }];

test("restores the top suggestion and keeps the spun wording", () => {
  assert.equal(restoreText(text, spans), "Putin started a full-scale invasion last month, officials said.");
  assert.deepEqual(restoreSegments(text, spans)[1], { text: "last month", original: "final month" });
});
