import assert from "node:assert/strict";
import { test } from "node:test";
import { loopbackOrigin } from "./loopback.js";

test("only http addresses on this computer", () => {
  assert.equal(loopbackOrigin(" http://127.0.0.1:8765/api "), "http://127.0.0.1:8765");
  assert.equal(loopbackOrigin("http://localhost:9000"), "http://localhost:9000");
  for (const bad of ["https://127.0.0.1:8765", "http://192.0.2.1:8765", "http://127.0.0.1.example.com", "http://[::1]:8765", "file:///x", "", null]) {
    assert.equal(loopbackOrigin(bad), null, String(bad));
  }
});
