// One article as the server sees it: the paragraph texts of ONE /api/v1/analyze request, in
// reading order. The server decides per article (a paragraph's marks depend on the whole
// article), so the extension always sends and caches whole documents. Pure: unit tests in
// document.test.js; shared by the background and the content script.
import { estimateTokens } from "./tokens.js";

/**
 * The budget of one tab (all its frames together): what the extension sends at most, whatever
 * the page holds, in the server's unit, language-model tokens (estimated: shared/tokens.js).
 * Below the server's limits per request (GET /api/v1/health -> limits.max_tokens, 16,384 by
 * default, and limits.max_paragraphs); a server that reports lower limits lowers it (limitBudget).
 */
/** @typedef {{paragraphs: number, paragraphTokens: number, tokens: number}} Budget */
/** @type {Readonly<Budget>} */
export const BUDGET = Object.freeze({ paragraphs: 400, paragraphTokens: 2000, tokens: 12000 });

/** The budget within a server's reported limits ({max_tokens, max_paragraphs}, either may be
 *  missing: an older server reports none).
 *  @param {?{max_tokens?: unknown, max_paragraphs?: unknown} | undefined} limits  as the server sent them (unchecked)
 *  @param {Budget} [budget] @returns {Budget} */
export function limitBudget(limits, budget = BUDGET) {
  /** @param {number} ours @param {unknown} theirs */
  const below = (ours, theirs) => (typeof theirs === "number" && Number.isInteger(theirs) && theirs > 0 ? Math.min(ours, theirs) : ours);
  const tokens = below(budget.tokens, limits?.max_tokens);
  return { paragraphs: below(budget.paragraphs, limits?.max_paragraphs), paragraphTokens: Math.min(budget.paragraphTokens, tokens), tokens };
}

/**
 * Which paragraphs of a page go to the server: their indices, in reading order. A paragraph over
 * `paragraphTokens` is left out whole (a cut paragraph would be another text); the selection ends
 * at `paragraphs` paragraphs, or before the total would pass `tokens`.
 * @param {string[]} texts @param {Budget} [budget] @returns {number[]}
 */
export function withinBudget(texts, budget = BUDGET) {
  const chosen = [];
  let tokens = 0;
  for (let i = 0; i < texts.length && chosen.length < budget.paragraphs; i++) {
    const cost = estimateTokens(texts[i]);
    if (cost > budget.paragraphTokens) continue;
    if (tokens + cost > budget.tokens) break;
    tokens += cost;
    chosen.push(i);
  }
  return chosen;
}

/** The estimated tokens of a document (shared/tokens.js). @param {string[]} texts @returns {number} */
export function documentTokens(texts) {
  return texts.reduce((sum, text) => sum + estimateTokens(text), 0);
}

/** The document's identity (for the cache): its paragraph texts in order, joined with U+0000.
 *  @param {string[]} texts */
export function documentKey(texts) {
  return texts.join("\u0000");
}

/** Whether two documents have the same paragraph texts in the same order.
 *  @param {readonly string[]} a @param {readonly string[]} b */
export function sameTexts(a, b) {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}
