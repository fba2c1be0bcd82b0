import assert from "node:assert/strict";
import { test } from "node:test";
import { allowOriginCommand, IS_FIREFOX, refusedBrowser } from "./allow-origin.js";

test("the command names this install's origin without the trailing slash", () => {
  const url = "moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17/";
  assert.equal(allowOriginCommand(url), "unspin serve --allow-origin moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17");
});

test("outside a build there is no browser to name", () => {
  assert.equal(IS_FIREFOX, false);
});

test("a 403 from the status check or from the page's last request is a refusal of this browser", () => {
  const forbidden = { kind: "error", message: "The server refused the request: Origin not allowed", status: 403 };
  const running = { ok: true, serverUrl: "http://127.0.0.1:8765", health: {} };
  assert.equal(refusedBrowser({ ok: false, serverUrl: running.serverUrl, error: forbidden }, null), true);
  assert.equal(refusedBrowser(running, { status: "error", error: forbidden }), true); // Firefox: health answers
  assert.equal(refusedBrowser(null, { status: "error", error: forbidden }), true);
  assert.equal(refusedBrowser(running, { status: "error", error: { ...forbidden, status: 500 } }), false);
  assert.equal(refusedBrowser({ ok: false, serverUrl: running.serverUrl, error: { kind: "down", message: "x", status: null } }, null), false);
  assert.equal(refusedBrowser(running, { status: "done", error: null }), false);
  assert.equal(refusedBrowser(null, null), false);
});
