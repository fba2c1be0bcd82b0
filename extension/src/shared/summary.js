// The server's summary of one analysed article (server/openapi.json: Summary). The server owns
// every figure and the verdict; the extension checks the shape and shows them, never recounts.
// Pure (unit tests: summary.test.js).
import { percent, plural, t } from "./i18n.js";
import { isVerdict, lookOf } from "./verdicts.js";

/**
 * @typedef {{threshold: number, spun_words: number}} ScalePoint  What one sensitivity would mark.
 * @typedef {{paragraphs: number, words: number, spans: number, spun_words: number,
 *   spun_ratio: number, score: number, verdict: import("./verdicts.js").Verdict,
 *   spun_words_by_threshold: ScalePoint[]}} Summary
 */

/** @type {("paragraphs" | "words" | "spans" | "spun_words")[]} */
const COUNTS = ["paragraphs", "words", "spans", "spun_words"];
/** @type {("spun_ratio" | "score")[]} */
const SHARES = ["spun_ratio", "score"];

/** The server's summary when it has the documented shape, else null.
 *  @param {import("./message-types.js").Unchecked} raw @returns {?Summary} */
export function readSummary(raw) {
  if (!raw || typeof raw !== "object" || !isVerdict(raw.verdict)) return null;
  if (!COUNTS.every((key) => Number.isInteger(raw[key]) && raw[key] >= 0)) return null;
  if (!SHARES.every((key) => typeof raw[key] === "number" && raw[key] >= 0 && raw[key] <= 1)) return null;
  const scale = raw.spun_words_by_threshold ?? []; // a server older than the scale: no counts to show
  const point = (/** @type {import("./message-types.js").Unchecked} */ p) => p && typeof p.threshold === "number" && p.threshold >= 0 && p.threshold <= 1 && Number.isInteger(p.spun_words) && p.spun_words >= 0;
  if (!Array.isArray(scale) || !scale.every(point)) return null;
  const summary = /** @type {Summary} */ ({ verdict: raw.verdict });
  for (const key of [...COUNTS, ...SHARES]) summary[key] = raw[key];
  summary.spun_words_by_threshold = scale.map(({ threshold, spun_words }) => ({ threshold, spun_words }));
  return summary;
}

/** The verdict in the reader's language (the server's verdict stays the data: the popup's colours
 *  key on it). @param {Summary} summary */
export function verdictText(summary) {
  return t(lookOf(summary.verdict)?.text ?? "");
}

/** The summary's figures in the reader's language: share of words spun, spans, words.
 *  @param {Summary} summary @returns {string[]} */
export function summaryFigures(summary) {
  return [t("popup_figures_spun", percent(summary.spun_ratio)), plural("count_spans", summary.spans), plural("count_words", summary.words)];
}
