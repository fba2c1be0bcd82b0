// The server's summary of one analysed article (server/openapi.json: Summary). The server owns
// every figure and the verdict; the extension checks the shape and shows them, never recounts.
// Pure (unit tests: summary.test.js).

/**
 * @typedef {{paragraphs: number, words: number, spans: number, spun_words: number,
 *   spun_ratio: number, score: number, verdict: "likely spun"|"possibly spun"|"no sign of spinning"}} Summary
 */

const VERDICTS = ["likely spun", "possibly spun", "no sign of spinning"];
const COUNTS = ["paragraphs", "words", "spans", "spun_words"];
const SHARES = ["spun_ratio", "score"];

/** The server's summary when it has the documented shape, else null. @returns {?Summary} */
export function readSummary(raw) {
  if (!raw || typeof raw !== "object" || !VERDICTS.includes(raw.verdict)) return null;
  if (!COUNTS.every((key) => Number.isInteger(raw[key]) && raw[key] >= 0)) return null;
  if (!SHARES.every((key) => typeof raw[key] === "number" && raw[key] >= 0 && raw[key] <= 1)) return null;
  const summary = /** @type {Summary} */ ({ verdict: raw.verdict });
  for (const key of [...COUNTS, ...SHARES]) summary[key] = raw[key];
  return summary;
}
