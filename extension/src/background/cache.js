// Answers per document, keyed on (the site of the tab that asked, server, threshold, allow-list, the
// document's paragraph texts): an article seen before on that site, unchanged, is never re-sent,
// and a page never gets an answer (nor its speed) from what a page of another site asked. The server decides per article, so answers are never
// shared between documents, not even for a paragraph they have in common. In memory (LRU, bound
// by documents and by size, since a growing page leaves one document per version), copied to
// storage.session so a restarted service worker keeps it.
import browser from "webextension-polyfill";
import { documentKey } from "../shared/document.js";

const MAX_DOCUMENTS = 200;
// Characters of keys and answers (as JSON), all documents together: storage.session holds 10 MB.
const MAX_SIZE = 2000000;
const STORE_KEY = "documentCache";

/** @typedef {import("./api.js").Answer} Answer */

/** @type {Map<string, {value: Answer, size: number}>} */
const entries = new Map();
let total = 0;
/** @type {?Promise<void>} */
let loaded = null;
let saveTimer = 0;

/** @param {string} site @param {string} serverUrl @param {?number} threshold @param {string[]} ignore @param {string[]} texts */
export function cacheKey(site, serverUrl, threshold, ignore, texts) {
  return `${site}\u0000${serverUrl}\u0000${threshold ?? "default"}\u0000${ignore.join("\u0001")}\u0000${documentKey(texts)}`;
}

/** @param {string} key @param {Answer} value */
function remember(key, value) {
  forget(key);
  const size = key.length + JSON.stringify(value).length;
  entries.set(key, { value, size });
  total += size;
  // Oldest first; the newest entry stays even when it alone is over the size bound.
  while (entries.size > 1 && (entries.size > MAX_DOCUMENTS || total > MAX_SIZE)) forget(/** @type {string} */ (entries.keys().next().value));
}

/** @param {string} key */
function forget(key) {
  const entry = entries.get(key);
  if (!entry) return;
  entries.delete(key);
  total -= entry.size;
}

/** Read what storage.session kept (once). */
export async function load() {
  loaded ??= browser.storage.session
    .get(STORE_KEY)
    .then((stored) => {
      const newer = [...entries]; // set while loading: newer than the stored ones
      entries.clear();
      total = 0;
      for (const [key, value] of /** @type {[string, Answer][]} */ (stored[STORE_KEY] || [])) remember(key, value);
      for (const [key, { value }] of newer) remember(key, value);
    })
    .catch(() => {});
  return loaded;
}

/** The answer kept for `key`, if any. @param {string} key @returns {Answer | undefined} */
export function get(key) {
  const entry = entries.get(key);
  if (!entry) return undefined;
  entries.delete(key); // refresh the LRU position
  entries.set(key, entry);
  return entry.value;
}

/** Keep `value` for `key` (and in storage.session soon). @param {string} key @param {Answer} value */
export function set(key, value) {
  remember(key, value);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const stored = [...entries].map(([k, entry]) => [k, entry.value]);
    browser.storage.session.set({ [STORE_KEY]: stored }).catch(() => {});
  }, 1000);
}

/** {documents, size} held now (for the DevTools console and the browser tests). */
export function size() {
  return { documents: entries.size, size: total };
}
