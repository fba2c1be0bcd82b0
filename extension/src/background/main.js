// Background (service worker in Chromium, background script in Firefox): the only place that
// talks to the server. Content scripts connect a port per page and send paragraph texts; this
// batches the uncached ones into POST /api/v1/analyze and posts results back batch by batch.
import browser from "webextension-polyfill";
import { getSettings } from "../shared/settings.js";
import { countWords } from "../shared/summary.js";
import * as api from "./api.js";
import * as cache from "./cache.js";
import { forgetTab, setPageState, tabState } from "./badge.js";

const BATCH_PARAGRAPHS = 32;
const BATCH_CHARS = 40000;

const inFlight = new Map(); // cache key -> Promise<result>
const stats = { requests: 0, paragraphsSent: 0 }; // what went to the server since start

function batches(texts) {
  const out = [];
  let batch = [];
  let chars = 0;
  for (const text of texts) {
    if (batch.length && (batch.length >= BATCH_PARAGRAPHS || chars + text.length > BATCH_CHARS)) {
      out.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(text);
    chars += text.length;
  }
  if (batch.length) out.push(batch);
  return out;
}

function withCounts(text, result) {
  return { ...result, ...countWords(text, result.spans) };
}

/** Results for `texts`, delivered through `deliver(items)` as they arrive; throws ServerError. */
async function analyzeTexts(texts, deliver) {
  await cache.load();
  const { serverUrl, threshold } = await getSettings();
  const keyOf = (text) => cache.cacheKey(serverUrl, threshold, text);
  const unique = [...new Set(texts)];
  const ready = [];
  const waiting = [];
  const missing = [];
  for (const text of unique) {
    const key = keyOf(text);
    const hit = cache.get(key);
    if (hit) ready.push([text, hit]);
    else if (inFlight.has(key)) waiting.push(inFlight.get(key).then((result) => [text, result]));
    else missing.push(text);
  }
  if (ready.length) deliver(ready);
  for (const batch of batches(missing)) {
    stats.requests += 1;
    stats.paragraphsSent += batch.length;
    const pending = api.analyze(serverUrl, batch, threshold).then((results) =>
      batch.map((text, i) => {
        const result = withCounts(text, results[i]);
        cache.set(keyOf(text), result);
        return [text, result];
      }),
    );
    batch.forEach((text, i) => inFlight.set(keyOf(text), pending.then((items) => items[i][1])));
    pending.catch(() => {}).finally(() => batch.forEach((text) => inFlight.delete(keyOf(text))));
    deliver(await pending);
  }
  for (const item of await Promise.all(waiting)) deliver([item]);
}

browser.runtime.onConnect.addListener((port) => {
  if (port.name !== "unspin-page" || !port.sender?.tab) return;
  let open = true;
  port.onDisconnect.addListener(() => (open = false));
  port.onMessage.addListener(async (message) => {
    if (message?.type !== "analyze" || !Array.isArray(message.texts)) return;
    const post = (msg) => open && port.postMessage(msg);
    try {
      await analyzeTexts(message.texts, (items) => post({ type: "results", id: message.id, items }));
      post({ type: "done", id: message.id });
    } catch (error) {
      post({ type: "error", id: message.id, error: { kind: error.kind || "error", message: error.message } });
    }
  });
});

async function serverStatus() {
  const { serverUrl } = await getSettings();
  try {
    return { ok: true, serverUrl, health: await api.health(serverUrl) };
  } catch (error) {
    return { ok: false, serverUrl, error: { kind: error.kind || "error", message: error.message } };
  }
}

browser.runtime.onMessage.addListener((message, sender) => {
  switch (message?.type) {
    case "page-state":
      if (sender.tab) return setPageState(sender.tab.id, sender.url, message.state);
      return undefined;
    case "server-status":
      return serverStatus();
    case "tab-state":
      return Promise.resolve(tabState.get(message.tabId) || null);
    default:
      return undefined;
  }
});

browser.tabs.onRemoved.addListener(forgetTab);

// For the DevTools console of the background page (and the browser tests).
globalThis.unspin = { tabState, cache, stats, serverStatus };
