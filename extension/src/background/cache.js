// Results per paragraph, keyed on (server, threshold, text): unchanged text is never re-sent.
// In memory (LRU), copied to storage.session so a restarted service worker keeps it.
import browser from "webextension-polyfill";

const MAX_ENTRIES = 3000;
const STORE_KEY = "resultCache";

const entries = new Map();
let loaded = null;
let saveTimer = 0;

export function cacheKey(serverUrl, threshold, text) {
  return `${serverUrl}\u0000${threshold ?? "default"}\u0000${text}`;
}

export async function load() {
  loaded ??= browser.storage.session
    .get(STORE_KEY)
    .then((stored) => {
      for (const [key, value] of stored[STORE_KEY] || []) if (!entries.has(key)) entries.set(key, value);
    })
    .catch(() => {});
  return loaded;
}

export function get(key) {
  const value = entries.get(key);
  if (value !== undefined) {
    entries.delete(key); // refresh LRU position
    entries.set(key, value);
  }
  return value;
}

export function set(key, value) {
  entries.delete(key);
  entries.set(key, value);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => browser.storage.session.set({ [STORE_KEY]: [...entries] }).catch(() => {}), 1000);
}

export function size() {
  return entries.size;
}
