// Background (service worker in Chromium, background script in Firefox): the only place that
// talks to the server. Content scripts connect a port per page and send the page's whole article
// as one document (its paragraph texts in reading order, within the page's text budget) whenever
// it changes; the server decides per article, so each document is one POST /api/v1/analyze
// (never split into batches) and one answer back: a result per paragraph (null for what is over
// the budget, which is checked here again) and the server's summary of the article. Answers are cached per document; the same document asked for twice
// while in flight is requested once.
import browser from "webextension-polyfill";
import { BUDGET, withinBudget } from "../shared/document.js";
import { getSettings } from "../shared/settings.js";
import { cleanAllowList } from "../shared/wording.js";
import { listen, MESSAGES, PAGE_PORT, portListener, postAnalyzeError, postAnswer, requestAnalyzePage, sendMoveMark } from "../shared/messages.js";
import * as api from "./api.js";
import * as cache from "./cache.js";
import { forgetTab, setPageState, tabState } from "./badge.js";
import { sendCorrection } from "./feedback.js";
import { onInstalled } from "./welcome.js";

const inFlight = new Map(); // cache key -> Promise<answer>

// Chromium may stop a service worker that has been idle for 30 s, and waiting on a fetch is not
// activity (an extension API call is). A long article can take the server longer than that.
const KEEPALIVE_MS = 20000;
let keepalive = 0;

function keepAliveWhileWaiting() {
  if (inFlight.size && !keepalive) {
    keepalive = setInterval(() => browser.runtime.getPlatformInfo().catch(() => {}), KEEPALIVE_MS);
  } else if (!inFlight.size && keepalive) {
    clearInterval(keepalive);
    keepalive = 0;
  }
}

/**
 * Ask the server about one document: the paragraphs within the page's text budget.
 * The answer: {results: [{score, spans} | null (not analysed)], summary: the server's Summary
 * of what it analysed | null (nothing analysed)}. Throws ServerError.
 */
async function requestDocument(serverUrl, threshold, ignore, texts) {
  const chosen = withinBudget(texts);
  if (!chosen.length) return { results: texts.map(() => null), summary: null };
  const answer = await api.analyze(serverUrl, chosen.map((i) => texts[i]), threshold, ignore);
  const results = texts.map(() => null);
  chosen.forEach((i, k) => (results[i] = answer.results[k]));
  return { results, summary: answer.summary };
}

/** The answer for a document (see requestDocument), from the cache when it is known. */
async function analyzeDocument(texts) {
  await cache.load();
  const settings = await getSettings();
  const { serverUrl, threshold } = settings;
  const ignore = cleanAllowList(settings.ignore); // storage can hold anything
  const key = cache.cacheKey(serverUrl, threshold, ignore, texts);
  const hit = cache.get(key);
  if (hit) return hit;
  if (!inFlight.has(key)) {
    const pending = requestDocument(serverUrl, threshold, ignore, texts)
      .then((answer) => {
        cache.set(key, answer);
        return answer;
      })
      .finally(() => {
        inFlight.delete(key);
        keepAliveWhileWaiting();
      });
    inFlight.set(key, pending);
    keepAliveWhileWaiting();
  }
  return inFlight.get(key);
}

function isDocument(texts) {
  return Array.isArray(texts) && texts.every((text) => typeof text === "string");
}

browser.runtime.onConnect.addListener((port) => {
  if (port.name !== PAGE_PORT || !port.sender?.tab) return;
  let open = true;
  port.onDisconnect.addListener(() => (open = false));
  port.onMessage.addListener(
    portListener({
      [MESSAGES.ANALYZE]: async ({ id, texts }) => {
        if (!isDocument(texts)) return;
        try {
          const answer = await analyzeDocument(texts);
          if (open) postAnswer(port, id, answer);
        } catch (error) {
          if (open) postAnalyzeError(port, id, error);
        }
      },
    }),
  );
});

async function serverStatus() {
  const { serverUrl } = await getSettings();
  try {
    return { ok: true, serverUrl, health: await api.health(serverUrl) };
  } catch (error) {
    return { ok: false, serverUrl, error: { kind: error.kind || "error", message: error.message, status: error.status ?? null } };
  }
}

listen({
  // Kept under the tab's address: the frame that speaks for the tab may be a child frame.
  [MESSAGES.PAGE_STATE]: (message, sender) => (sender.tab ? setPageState(sender.tab.id, sender.tab.url, message.state) : undefined),
  [MESSAGES.SERVER_STATUS]: () => serverStatus(),
  [MESSAGES.CORRECTION]: (message, sender) => (sender.tab ? sendCorrection(message.correction, sender) : undefined),
});

browser.runtime.onInstalled.addListener(onInstalled);

browser.tabs.onRemoved.addListener(forgetTab);

// Keyboard commands (manifest "commands"; rebindable at chrome://extensions/shortcuts and in
// Firefox's add-on manager): move focus between the marks of the tab's page, or analyse it now.
const COMMANDS = {
  "next-mark": (tabId) => sendMoveMark(tabId, 1),
  "previous-mark": (tabId) => sendMoveMark(tabId, -1),
  "analyze-page": (tabId) => requestAnalyzePage(tabId),
};

async function onCommand(command, tab) {
  if (!Object.hasOwn(COMMANDS, command)) return false;
  const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
  return tabId == null ? false : COMMANDS[command](tabId);
}

browser.commands.onCommand.addListener(onCommand);

// For the DevTools console of the background page (and the browser tests).
globalThis.unspin = { tabState, cache, stats: api.sent, budget: BUDGET, serverStatus, onCommand };
