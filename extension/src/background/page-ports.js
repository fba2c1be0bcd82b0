// The pages' ports (shared/port-messages.js): each content script sends its page's whole article
// as one document whenever it changes, and gets provisional marks, the answer and the marks'
// suggestions back on its port (main.js says how a document is asked). A tab's jobs keep the
// background alive while they wait.
import browser from "webextension-polyfill";
import { MESSAGES } from "../shared/messages.js";
import { siteOf } from "../shared/sites.js";
import {
  PAGE_PORT,
  portListener,
  postAnalyzeError,
  postAnswer,
  postBusy,
  postMarks,
  postServerStarting,
  postSuggestions,
} from "../shared/port-messages.js";
import { analyzeDocument } from "./analyze.js";
import * as shared from "./shared-requests.js";
import * as suggestions from "./suggestions.js";
import * as tabs from "./tabs.js";

// Chromium may stop a service worker that has been idle for 30 s, and waiting on a fetch is not
// activity (an extension API call is). A long article can take the server longer than that, and
// a busy server can keep a tab waiting to retry.
const KEEPALIVE_MS = 20000;
/** @typedef {import("../shared/message-types.js").PlacedSpan} PlacedSpan */
let keepalive = 0;

function keepAliveWhileWaiting() {
  const waiting = tabs.busy() || shared.size() > 0;
  if (waiting && !keepalive) {
    keepalive = setInterval(() => browser.runtime.getPlatformInfo().catch(() => {}), KEEPALIVE_MS);
  } else if (!waiting && keepalive) {
    clearInterval(keepalive);
    keepalive = 0;
  }
}

/** @param {unknown} texts  as the page sent them */
function isDocument(texts) {
  return Array.isArray(texts) && texts.every((text) => typeof text === "string");
}

/** Run a tab's job, keeping the background alive while any is waiting.
 *  @template T @param {Promise<T>} promise @returns {Promise<T>} */
async function track(promise) {
  keepAliveWhileWaiting();
  try {
    return await promise;
  } finally {
    keepAliveWhileWaiting();
  }
}

/** @param {import("webextension-polyfill").Runtime.Port} port */
function onConnect(port) {
  const tab = port.sender?.tab;
  if (port.name !== PAGE_PORT || !tab) return;
  const tabId = /** @type {number} a content script's tab has one */ (tab.id);
  let open = true;
  /** @type {?{id: number, worker: ReturnType<typeof suggestions.start>}} the suggestions of the page's answered document */
  let restoring = null;
  const stopRestoring = () => {
    restoring?.worker.stop();
    restoring = null;
  };
  port.onDisconnect.addListener(() => {
    open = false;
    stopRestoring();
    tabs.forgetFrame(tabId, port); // its request, if any, is aborted
  });
  port.onMessage.addListener(
    portListener({
      [MESSAGES.ANALYZE]: async ({ id, texts, first }) => {
        if (!isDocument(texts)) return;
        stopRestoring();
        const firstRead = Array.isArray(first) ? first.filter((i) => Number.isInteger(i) && i >= 0 && i < texts.length) : [];
        const onBusy = (/** @type {number} */ seconds, /** @type {number} */ attempt) => open && postBusy(port, id, seconds, attempt);
        const onStarting = () => open && postServerStarting(port, id);
        const onMarks = (/** @type {PlacedSpan[]} */ spans) => open && postMarks(port, id, spans);
        try {
          const site = siteOf(tab.url); // the top-level page's, for every frame of the tab
          const answer = await track(tabs.submit(tabId, port, (signal, others) =>
            analyzeDocument(site, texts, signal, others, onBusy, onStarting, firstRead, onMarks)));
          if (!open) return;
          postAnswer(port, id, answer);
          if (answer.article) {
            const post = (/** @type {PlacedSpan[]} */ spans) => open && postSuggestions(port, id, spans);
            restoring = { id, worker: suggestions.start(answer.article, post) };
          }
        } catch (error) {
          if (error instanceof tabs.Superseded) return; // a newer document's answer will come
          if (open) postAnalyzeError(port, id, /** @type {Error & {kind?: string}} ServerError mostly */ (error));
        }
      },
      [MESSAGES.SUGGEST]: ({ id, paragraph, start, end }) => {
        if (restoring?.id !== id || ![paragraph, start, end].every(Number.isInteger)) return;
        restoring.worker.urgent({ paragraph, start, end });
      },
      [MESSAGES.CANCEL]: () => {
        stopRestoring();
        tabs.clearFrame(tabId, port);
      },
    }),
  );
}

/** Answer the pages' ports. */
export function listenToPages() {
  browser.runtime.onConnect.addListener(onConnect);
}
