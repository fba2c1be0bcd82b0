// One article as the server sees it: the paragraph texts of ONE /api/v1/analyze request, in
// reading order. The server decides per article (a paragraph's marks depend on the whole
// article), so the extension always sends and caches whole documents. Pure: unit tests in
// document.test.js; shared by the background and the content script.

/**
 * The text budget of one page: what the extension sends at most, whatever the page holds.
 * Within the server's limits per request (server/config.py: MAX_PARAGRAPHS 2,000, MAX_CHARS
 * 200,000 code points; a UTF-16 unit count is never below the code point count).
 */
export const BUDGET = Object.freeze({ paragraphs: 400, paragraphChars: 4000, chars: 60000 });

/**
 * Which paragraphs of a page go to the server: their indices, in reading order. A paragraph over
 * `paragraphChars` UTF-16 units is left out whole (a cut paragraph would be another text); the
 * selection ends at `paragraphs` paragraphs, or before the total would pass `chars`.
 */
export function withinBudget(texts, budget = BUDGET) {
  const chosen = [];
  let chars = 0;
  for (let i = 0; i < texts.length && chosen.length < budget.paragraphs; i++) {
    const length = texts[i].length;
    if (length > budget.paragraphChars) continue;
    if (chars + length > budget.chars) break;
    chars += length;
    chosen.push(i);
  }
  return chosen;
}

/** The document's identity (for the cache): its paragraph texts in order, joined with U+0000. */
export function documentKey(texts) {
  return texts.join("\u0000");
}

/** Whether two documents have the same paragraph texts in the same order. */
export function sameTexts(a, b) {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}
