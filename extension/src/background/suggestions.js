// Suggestions after the marks: once a document's marks are answered (marks first, see api.js),
// the originals of its marks are asked for a few at a time, the reader's screenful first, and
// sent to the page as they come; a mark the reader points at is asked for before the others.
// Each answer also fills the cached answer in place (shared/suggestions.js), so the same page
// asked again has them. One worker per page document: a newer document or a closed page stops it.
import { MAX_SUGGESTION_SPANS } from "../shared/api-contract.js";
import { pending, pendingRanges, placeSpans } from "../shared/suggestions.js";
import * as api from "./api.js";

// Marks per request in the background: small enough that a mark the reader points at waits for
// at most this many before its own (the server restores about 10 marks in 0.1-0.3 s).
const CHUNK = 12;
// A busy server (503) is asked again after its Retry-After, at most this many times per request.
const MAX_BUSY_RETRIES = 3;

/** @typedef {import("../shared/message-types.js").PlacedSpan} PlacedSpan */
/** @typedef {{paragraph: number, start: number, end: number}} Range */

/** Wait `seconds`, or until `signal` aborts. @param {number} seconds @param {AbortSignal} signal */
function sleep(seconds, signal) {
  return new Promise(/** @param {(value?: void) => void} resolve */ (resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Start asking for the suggestions of `article`'s pending marks (analyze.js's `article`);
 * `post(spans)` gets each restored batch (PlacedSpan[], paragraphs indexed in the page's texts).
 * A request that fails (after a busy server's retries) stops the worker: the marks stay pending,
 * and the reader pointing at one asks again (`urgent`).
 * @param {import("./analyze.js").Article} article @param {(spans: PlacedSpan[]) => void} post
 * @returns {{urgent(range: Range): void, stop(): void}}
 *   urgent: a range (paragraph indexed in the page's texts) to ask before the others
 */
export function start(article, post) {
  const { asked, texts, answer, first, toTexts, inChosen } = article;
  const controller = new AbortController();
  /** @type {Range[]} */
  const urgent = [];
  let running = false;

  const stillPending = (/** @type {Range} */ range) =>
    (answer.results[range.paragraph]?.spans || []).some((s) => pending(s) && s.start < range.end && range.start < s.end);

  /** @param {Range[]} ranges */
  async function ask(ranges) {
    for (let busy = 0; ; busy += 1) {
      try {
        const { serverUrl, secret, threshold, ignore, site } = asked;
        return await api.suggest(serverUrl, secret, texts, threshold, ignore, site, ranges, controller.signal);
      } catch (error) {
        if (!(error instanceof api.ServerError) || error.kind !== "busy" || busy >= MAX_BUSY_RETRIES || controller.signal.aborted) throw error;
        await sleep(error.retryAfter ?? 0, controller.signal); // set with "busy" (http.js)
      }
    }
  }

  async function run() {
    if (running) return;
    running = true;
    try {
      while (!controller.signal.aborted) {
        const now = urgent.splice(0).filter(stillPending);
        const ranges = (now.length ? now : pendingRanges(answer.results, first)).slice(0, Math.min(CHUNK, MAX_SUGGESTION_SPANS));
        if (!ranges.length) break;
        let placed;
        try {
          placed = await ask(ranges);
        } catch {
          break; // the reader can point at a mark again (urgent), which asks again
        }
        if (controller.signal.aborted) break;
        placeSpans(answer.results, placed);
        // A mark the server did not restore (it no longer marks it: its cache lost the article
        // and something changed) has no known original: it is not asked again.
        const unanswered = ranges.flatMap((range) =>
          (answer.results[range.paragraph]?.spans || [])
            .filter((s) => pending(s) && s.start < range.end && range.start < s.end)
            .map((s) => ({ ...s, paragraph: range.paragraph, suggestions: [] })),
        );
        placeSpans(answer.results, unanswered);
        post(toTexts([...placed, ...unanswered]));
      }
    } finally {
      running = false;
    }
  }

  run();
  return {
    urgent(range) {
      if (!inChosen.has(range.paragraph)) return;
      urgent.unshift({ ...range, paragraph: /** @type {number} */ (inChosen.get(range.paragraph)) });
      run();
    },
    stop() {
      controller.abort();
    },
  };
}
