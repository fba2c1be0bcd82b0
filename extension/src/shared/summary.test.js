import assert from "node:assert/strict";
import { test } from "node:test";
import { readSummary } from "./summary.js";

const server = {
  paragraphs: 2, words: 20, spans: 1, spun_words: 2, spun_ratio: 0.1, score: 0.35, verdict: "likely spun",
  spun_words_by_threshold: [{ threshold: 0.97, spun_words: 2 }, { threshold: 0.1, spun_words: 5 }],
};

test("keeps the server's figures and verdict as they are", () => {
  assert.deepEqual(readSummary(server), server);
  assert.deepEqual(readSummary({ ...server, extra: 1 }), server);
  const { spun_words_by_threshold: _, ...older } = server; // a server from before the scale
  assert.deepEqual(readSummary(older), { ...older, spun_words_by_threshold: [] });
});

test("refuses a summary without the documented shape", () => {
  assert.equal(readSummary(null), null);
  assert.equal(readSummary({ ...server, verdict: "spun" }), null);
  assert.equal(readSummary({ ...server, words: -1 }), null);
  assert.equal(readSummary({ ...server, spun_ratio: 2 }), null);
  assert.equal(readSummary({ ...server, spun_words_by_threshold: [{ threshold: 2, spun_words: 1 }] }), null);
  assert.equal(readSummary({ ...server, spun_words_by_threshold: {} }), null);
  const { spans, ...noSpans } = server;
  assert.equal(readSummary(noSpans), null);
});
