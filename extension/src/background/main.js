// Background (service worker in Chromium, background script in Firefox): the only place that
// talks to the server. Content scripts connect a port per page (page-ports.js) and send the page's whole article
// as one document (its paragraph texts in reading order, and which of them the reader sees)
// whenever it changes; the server decides per article, so each document is one POST
// /api/v1/analyze (never split into batches), marks first: provisional marks per part the server
// reads (the reader's screenful first), then the answer: a result per paragraph (null for what is
// over the tab's budget, which is decided here: one budget per tab across its frames, in LM
// tokens, within the server's limits) and the server's summary of the article. The marks'
// suggestions follow (suggestions.js), the one the reader points at first. A tab has one request in flight at a time, and a frame's
// newer document aborts its older one (tabs.js); how one document is asked: analyze.js (the
// tab's budget, the cache, a busy server, a 413).
import browser from "webextension-polyfill";
import { BUDGET } from "../shared/document.js";
import { getConnection } from "../shared/settings.js";
import { estimateTokens } from "../shared/tokens.js";
import { listen, MESSAGES, requestAnalyzePage, sendMoveMark } from "../shared/messages.js";
import * as api from "./api.js";
import * as cache from "./cache.js";
import * as limits from "./limits.js";
import { listenToPages } from "./page-ports.js";
import * as tabs from "./tabs.js";
import { forgetTab, setPageState, tabState } from "./badge.js";
import { sendCorrection } from "./feedback.js";
import { mayStart } from "../shared/host-permission.js";
import { onInstalled } from "./welcome.js";
import { findOriginal, pageSource } from "./find-original.js";

listenToPages();

/** The server's status, for the popup and the options page; `canStart`: the reader allowed the
 *  browser host to start it. */
async function serverStatus() {
  const { serverUrl, secret } = await getConnection();
  const canStart = await mayStart();
  try {
    const health = await api.health(serverUrl, secret);
    limits.remember(serverUrl, health);
    return { ok: true, serverUrl, health, canStart };
  } catch (caught) {
    const error = /** @type {Error & {kind?: string, status?: ?number}} a ServerError mostly */ (caught);
    return { ok: false, serverUrl, canStart, error: { kind: error.kind || "error", message: error.message, status: error.status ?? null } };
  }
}

listen({
  // Kept under the tab's address: the frame that speaks for the tab may be a child frame.
  [MESSAGES.PAGE_STATE]: (message, sender) => (sender.tab ? setPageState(/** @type {number} a content script's tab has one */ (sender.tab.id), sender.tab.url, message.state) : undefined),
  [MESSAGES.SERVER_STATUS]: () => serverStatus(),
  [MESSAGES.CORRECTION]: (message, sender) => (sender.tab ? sendCorrection(message.correction, sender) : undefined),
  // an extension page (popup, restored view) names a tab; a content script gets its own
  [MESSAGES.FIND_ORIGINAL]: (message, sender) =>
    findOriginal(sender.url?.startsWith(browser.runtime.getURL("")) ? message.tabId : sender.tab?.id),
  [MESSAGES.PAGE_SOURCE]: (message) => pageSource(message.url),
});

browser.runtime.onInstalled.addListener(onInstalled);

browser.tabs.onRemoved.addListener((tabId) => {
  forgetTab(tabId);
  tabs.forgetTab(tabId);
});

// Keyboard commands (manifest "commands"; rebindable at chrome://extensions/shortcuts and in
// Firefox's add-on manager): move focus between the marks of the tab's page, or analyse it now.
/** @type {Record<string, (tabId: number) => Promise<?boolean>>} */
const COMMANDS = {
  "next-mark": (tabId) => sendMoveMark(tabId, 1),
  "previous-mark": (tabId) => sendMoveMark(tabId, -1),
  "analyze-page": (tabId) => requestAnalyzePage(tabId),
};

/** @param {string} command @param {import("webextension-polyfill").Tabs.Tab} [tab] */
async function onCommand(command, tab) {
  if (!Object.hasOwn(COMMANDS, command)) return false;
  const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
  return tabId == null ? false : COMMANDS[command](tabId);
}

browser.commands.onCommand.addListener(onCommand);

// For the DevTools console of the background page (and the browser tests).
globalThis.unspin = { tabState, cache, stats: api.sent, budget: BUDGET, tabs: tabs.describe, estimateTokens, serverStatus, onCommand };
