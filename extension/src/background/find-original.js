// "Find the original" (the card, the popup, the restored view): first what the reader's own scans
// know (the server's POST /api/v1/source: the likely source of this address, when the server was
// started with --scan), then, when the reader asks, the tab's article's best restored sentence
// (shared/original.js) searched as an exact phrase with the reader's own search engine, through
// the browser's search API (search.query in Chromium, search.search in Firefox), in a new tab.
// Nothing goes to a search engine otherwise, and the address goes only to the local server. Test
// builds also keep each query in storage (`testSearches`), where the browser tests read it.
import browser from "webextension-polyfill";
import { requestArticle } from "../shared/messages.js";
import { bestRestoredSentence, phraseQuery } from "../shared/original.js";
import { isWebAddress } from "../shared/sites.js";
import * as api from "./api.js";
import { connect } from "./connection.js";

const TEST_SEARCHES = "testSearches";

/** Search with the reader's default search engine, results in a new tab. @param {string} text */
async function search(text) {
  if (__TEST_BUILD__) {
    const { [TEST_SEARCHES]: done = [] } = /** @type {{[key: string]: string[]}} */ (await browser.storage.local.get(TEST_SEARCHES));
    await browser.storage.local.set({ [TEST_SEARCHES]: [...done, text] });
  }
  if (__BROWSER__ === "firefox") await browser.search.search({ query: text, disposition: "NEW_TAB" });
  else await browser.search.query({ text, disposition: "NEW_TAB" });
}

/**
 * Search for the original of the article in tab `tabId`.
 * @param {?number | undefined} tabId  none: no tab to ask, no article
 * @returns {Promise<import("../shared/message-types.js").FindOriginalResult>}
 */
export async function findOriginal(tabId) {
  const best = bestRestoredSentence(await requestArticle(/** @type {number} see tabId */ (tabId)));
  if (!best) return { searched: false, reason: "nothing-restored" };
  const query = phraseQuery(best.text);
  try {
    await search(query);
  } catch (error) {
    const failure = /** @type {?{message?: unknown}} whatever the search API threw */ (error);
    return { searched: false, reason: "failed", message: String(failure?.message || failure) };
  }
  return { searched: true, query };
}

/**
 * The likely source of the page at `url` from the reader's scans; null when none is known or
 * the server cannot say (not running, an older server).
 * @param {string} url @returns {Promise<?import("../shared/message-types.js").PageSource>}
 */
export async function pageSource(url) {
  if (!isWebAddress(url)) return null;
  try {
    const { serverUrl, secret } = await connect();
    return await api.source(serverUrl, secret, url);
  } catch {
    return null;
  }
}
