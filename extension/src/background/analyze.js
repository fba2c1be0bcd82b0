// One document of a frame, asked of the server within what the tab's budget leaves the frame
// (tabs.js), in LM tokens within the server's limits (limits.js): from the cache, or one request
// shared with other tabs asking the same (shared-requests.js). A busy server (503) is asked again
// after its Retry-After, a few times; a 413 (over the server's token limit) shrinks the selection
// once, in proportion to the server's count.
import { documentTokens, withinBudget } from "../shared/document.js";
import { getSettings } from "../shared/settings.js";
import { cleanAllowList } from "../shared/wording.js";
import * as api from "./api.js";
import * as cache from "./cache.js";
import { connect } from "./connection.js";
import * as limits from "./limits.js";
import { plural, t } from "../shared/i18n.js";
import * as shared from "./shared-requests.js";

// A busy server (503) is asked again after its Retry-After, at most this many times.
const MAX_BUSY_RETRIES = 5;
// After a 413, the selection shrinks to the server's limit over its count, times this margin.
const SHRINK_MARGIN = 0.9;

/** @typedef {import("../shared/message-types.js").PlacedSpan} PlacedSpan */
/** @typedef {{site: string, serverUrl: string, secret: string, threshold: ?number, ignore: string[]}} Asked */
/**
 * An analysed article, what suggestions.js needs to ask for its spans' suggestions.
 * @typedef {{asked: Asked, texts: string[], answer: api.Answer, first: number[],
 *   toTexts: (spans: PlacedSpan[]) => PlacedSpan[], inChosen: Map<number, number>}} Article
 */

/** Wait `seconds`, unless `signal` aborts first (then reject).
 *  @param {number} seconds @param {AbortSignal} signal @returns {Promise<void>} */
function sleep(seconds, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new api.ServerError("aborted", t("error_superseded")));
    }, { once: true });
  });
}

/** What is left of the tab's budget when its other frames use `others` ({tokens, paragraphs}).
 *  @param {import("../shared/document.js").Budget} budget @param {{tokens: number, paragraphs: number}} others */
function share(budget, others) {
  const tokens = Math.max(0, budget.tokens - others.tokens);
  return { paragraphs: Math.max(0, budget.paragraphs - others.paragraphs), paragraphTokens: Math.min(budget.paragraphTokens, tokens), tokens };
}

/** The server's answer for exactly these paragraphs: from the cache, or one request shared with
 *  any tab that asks for the same meanwhile (`first` and `onMarks`: see api.analyze; the marks of
 *  a shared request go to the tab that started it). Its spans' suggestions are filled in later,
 *  in place (suggestions.js), so a later hit has them.
 *  @param {Asked} asked @param {string[]} texts @param {AbortSignal} signal @param {number[]} first
 *  @param {(placed: PlacedSpan[]) => void} onMarks @returns {Promise<api.Answer>} */
async function answerFor({ site, serverUrl, secret, threshold, ignore }, texts, signal, first, onMarks) {
  const key = cache.cacheKey(site, serverUrl, threshold, ignore, texts);
  const hit = cache.get(key);
  if (hit) return hit;
  const start = (/** @type {AbortSignal} */ abort) =>
    api.analyze(serverUrl, secret, texts, threshold, ignore, abort, site, first, onMarks).then((answer) => {
      cache.set(key, answer);
      return answer;
    });
  return shared.join(key, start, signal);
}

/**
 * Ask the server about one document of a tab whose top-level page is on `site` (sites.js): the
 * paragraphs within what the tab's budget leaves this frame (its other frames use `others`),
 * those of `first` (indices into `texts`: what the reader sees) read first, marks first.
 * Resolves to {results: [{score, spans} | null (not analysed)], summary: the server's Summary of
 * what it analysed | null (nothing analysed), used: {tokens, paragraphs} of the tab's budget,
 * article: what suggestions.js needs to ask for the spans' suggestions (null: nothing analysed)};
 * calls onMarks(placed) with the provisional marks of each part the server read (PlacedSpan[],
 * paragraphs indexed in `texts`), onBusy(seconds, attempt) before each wait for a busy server,
 * and onStarting() when the browser host starts the server. Nothing is sent before the server
 * proved it knows the secret (connection.js). Throws ServerError.
 * @param {string} site @param {string[]} texts @param {AbortSignal} signal
 * @param {{tokens: number, paragraphs: number}} others
 * @param {(seconds: number, attempt: number) => void} onBusy @param {() => void} onStarting
 * @param {number[]} [first] @param {(placed: PlacedSpan[]) => void} [onMarks]
 * @returns {Promise<{results: api.Answer["results"], summary: ?api.Answer["summary"],
 *   used: {tokens: number, paragraphs: number}, article: ?Article}>}
 */
export async function analyzeDocument(site, texts, signal, others, onBusy, onStarting, first = [], onMarks = () => {}) {
  await cache.load();
  const settings = await getSettings();
  const { threshold } = settings;
  const { serverUrl, secret } = await connect(onStarting);
  const asked = { site, serverUrl, secret, threshold, ignore: cleanAllowList(settings.ignore) }; // storage can hold anything
  let budget = share(await limits.budgetFor(serverUrl, secret), others);
  let shrunk = false;
  let busy = 0;
  for (;;) {
    const chosen = withinBudget(texts, budget);
    const chosenTexts = chosen.map((i) => texts[i]);
    const used = { tokens: documentTokens(chosenTexts), paragraphs: chosen.length };
    const inChosen = new Map(chosen.map((i, k) => [i, k]));
    const firstChosen = first.filter((i) => inChosen.has(i)).map((i) => /** @type {number} */ (inChosen.get(i)));
    const placedInTexts = (/** @type {PlacedSpan[]} */ spans) => spans.map((span) => ({ ...span, paragraph: chosen[span.paragraph] }));
    try {
      const answer = chosen.length
        ? await answerFor(asked, chosenTexts, signal, firstChosen, (spans) => onMarks(placedInTexts(spans)))
        : { results: [], summary: null };
      /** @type {api.Answer["results"]} */
      const results = texts.map(() => null);
      chosen.forEach((i, k) => (results[i] = answer.results[k]));
      const article = chosen.length
        ? { asked, texts: chosenTexts, answer: /** @type {api.Answer} the server's */ (answer), first: firstChosen, toTexts: placedInTexts, inChosen }
        : null;
      return { results, summary: answer.summary, used, article };
    } catch (error) {
      if (!(error instanceof api.ServerError)) throw error; // shared-requests.js's "aborted" too
      if (error.kind === "too-large" && !shrunk && (error.tokens ?? 0) > 0) {
        shrunk = true;
        limits.forget(serverUrl);
        const { tokens: over = 0, limit = 0 } = error; // both set with "too-large" (http.js)
        const tokens = Math.floor(((used.tokens * limit) / over) * SHRINK_MARGIN);
        budget = { ...budget, tokens, paragraphTokens: Math.min(budget.paragraphTokens, tokens) };
        continue;
      }
      if (error.kind === "busy" && busy < MAX_BUSY_RETRIES) {
        const { retryAfter = 0 } = error; // set with "busy" (http.js)
        busy += 1;
        onBusy(retryAfter, busy);
        await sleep(retryAfter, signal);
        continue;
      }
      if (error.kind === "busy") throw new api.ServerError("busy", plural("error_stayed_busy", busy + 1), 503);
      throw error;
    }
  }
}
