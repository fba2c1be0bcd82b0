import assert from "node:assert/strict";
import { test } from "node:test";
import { allowOriginCommand, IS_FIREFOX } from "./allow-origin.js";

test("the command names this install's origin without the trailing slash", () => {
  const url = "moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17/";
  assert.equal(allowOriginCommand(url), "unspin serve --allow-origin moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17");
});

test("outside a build there is no browser to name", () => {
  assert.equal(IS_FIREFOX, false);
});
