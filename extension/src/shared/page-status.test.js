import assert from "node:assert/strict";
import { test } from "node:test";
import { buttonTitle, retrySeconds, statusText } from "./page-status.js";

test("a busy server is a state of its own, with the seconds left before the next try", () => {
  const state = { status: "busy", retryAt: 10_000 };
  assert.equal(statusText(state, 2_500), "Server busy — retrying in 8 s");
  assert.equal(retrySeconds(state, 9_999), 1);
  assert.equal(retrySeconds(state, 12_000), 1); // due: never "0 s"
  assert.equal(buttonTitle(state, 5_000), "Unspin: server busy — retrying in 5 s");
});

test("the other states keep their words", () => {
  assert.equal(statusText({ status: "analysing" }), "Unspin is reading this article…");
  assert.equal(statusText({ status: "launching" }), "Starting Unspin…");
  assert.equal(statusText({ status: "something-new" }), "something-new");
  assert.equal(buttonTitle({ status: "done", summary: { verdict: "likely spun", spans: 3 } }), "Unspin: likely spun (3 spans)");
  assert.equal(buttonTitle({ status: "too-long" }), "Unspin: the article is too long to analyse");
  assert.equal(buttonTitle({ status: "analysing" }), "Unspin");
});
