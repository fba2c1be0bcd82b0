import assert from "node:assert/strict";
import { test } from "node:test";
import { READY_MS, readiness } from "./card-guard.js";

test("a card's actions count only READY_MS after it opened, and after a control appeared", () => {
  let t = 1000;
  const guard = readiness(null, new AbortController().signal, () => t);
  assert.equal(guard.ready(), false); // never shown
  guard.shown();
  t += READY_MS - 1;
  assert.equal(guard.ready(), false); // a click right after the card popped up
  t += 1;
  assert.equal(guard.ready(), true);
  const appeared = t; // a confirmation button appears now
  assert.equal(guard.ready(appeared), false); // a double click reaches it at once: ignored
  t += READY_MS;
  assert.equal(guard.ready(appeared), true);
  guard.hidden();
  assert.equal(guard.ready(), false);
  guard.shown(); // opened again (or on another mark): the wait starts again
  t += 100;
  assert.equal(guard.ready(), false);
});
