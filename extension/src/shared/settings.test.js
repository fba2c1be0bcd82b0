// The settings every script reads leave out the server's secret (security review: every page's
// content script loaded it with the other settings).
import { test } from "node:test";
import assert from "node:assert/strict";

const asked = [];
const stored = { secret: "s".repeat(43), serverUrl: "http://127.0.0.1:9000", threshold: 0.5 };
globalThis.chrome = { runtime: { id: "test" } }; // what the polyfill checks first
globalThis.browser = {
  runtime: { id: "test" },
  storage: {
    local: {
      get: async (keys) => {
        asked.push(...keys);
        return Object.fromEntries(keys.filter((k) => k in stored).map((k) => [k, stored[k]]));
      },
      set: async (changes) => Object.assign(stored, changes),
    },
  },
};
const { getConnection, getSettings, setSecret } = await import("./settings.js");

test("getSettings never reads the secret", async () => {
  asked.length = 0;
  const settings = await getSettings();
  assert.equal(settings.threshold, 0.5);
  assert.ok(!asked.includes("secret") && !("secret" in settings));
});

test("the background reads and keeps the secret through its own functions", async () => {
  assert.deepEqual(await getConnection(), { serverUrl: "http://127.0.0.1:9000", secret: "s".repeat(43) });
  await setSecret("t".repeat(43));
  assert.equal((await getConnection()).secret, "t".repeat(43));
});
