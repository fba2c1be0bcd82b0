import assert from "node:assert/strict";
import { test } from "node:test";
import { LOOKED_VERDICTS, lookOf, VERDICTS } from "./verdicts.js";

test("every verdict of the contract has its look, and only those", () => {
  assert.deepEqual(VERDICTS, ["likely spun", "possibly spun", "no sign of spinning"]);
  assert.deepEqual([...LOOKED_VERDICTS].sort(), [...VERDICTS].sort());
  for (const verdict of VERDICTS) assert.match(lookOf(verdict)?.colour ?? "", /^#[0-9a-f]{6}$/);
});

test("an unknown verdict has no look", () => {
  for (const value of ["spun", "", null, undefined, "toString", "__proto__"]) assert.equal(lookOf(value), null);
});
