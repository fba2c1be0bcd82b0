// The popup's sensitivity scale, "Fewer marks ←→ More marks": its points are the contract's
// threshold scale (server/openapi.json, x-scale) and the model's default threshold, highest
// threshold (fewest marks) on the left, so moving right marks more. What each point would mark is
// in the server's answer (summary.spun_words_by_threshold), so the popup shows it while the
// reader moves, before the page asks again; the API's `threshold` keeps its meaning. Pure (unit
// tests: sensitivity.test.js).
import { THRESHOLD_SCALE } from "./api-contract.js";

/** Thresholds compare equal at this precision (the server rounds them the same way). */
/** @param {?number} a @param {?number} b */
export const sameThreshold = (a, b) => a != null && b != null && Math.abs(a - b) < 1e-6;

/**
 * The scale's points, fewest marks first: the contract's, the model's default and the reader's
 * setting (an older setting may lie between two points), each once.
 * @param {?number} modelDefault  the model's threshold (null: not known, the server is not reachable)
 * @param {?number} setting  the reader's threshold (null: the model's)
 * @returns {number[]}
 */
export function scalePoints(modelDefault, setting = null) {
  const points = [...THRESHOLD_SCALE];
  for (const extra of [modelDefault, setting]) {
    if (typeof extra === "number" && !points.some((p) => sameThreshold(p, extra))) points.push(extra);
  }
  return points.sort((a, b) => b - a);
}

/** The position of `threshold` on the scale (the nearest point). @param {number[]} points @param {number} threshold */
export function positionOf(points, threshold) {
  let best = 0;
  points.forEach((p, i) => {
    if (Math.abs(p - threshold) < Math.abs(points[best] - threshold)) best = i;
  });
  return best;
}

/**
 * The words the page's article would have marked at `threshold`, from the server's answer;
 * null when the answer does not say (no answer yet, or another article).
 * @param {?import("./summary.js").Summary} summary @param {number} threshold
 */
export function spunWordsAt(summary, threshold) {
  const entry = summary?.spun_words_by_threshold?.find((e) => sameThreshold(e.threshold, threshold));
  return entry ? entry.spun_words : null;
}
