// One article as the server sees it: the paragraph texts of ONE /api/v1/analyze request, in
// reading order. The server decides per article (a paragraph's marks depend on the whole
// article), so the extension always sends and caches whole documents. Pure: unit tests in
// document.test.js; shared by the background and the content script.

// The server's limits per request (server/config.py: MAX_CHARS, MAX_PARAGRAPHS); the server
// counts characters as code points, all paragraphs together.
export const LIMITS = Object.freeze({ chars: 200000, paragraphs: 2000 });

/** Code points in `text` (a surrogate pair is one, a lone surrogate one). */
export function codePoints(text) {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** How many leading paragraphs go in one request: the longest prefix of whole paragraphs
 *  within `limits`. The rest of the document is not analysed. */
export function fittingPrefix(texts, limits = LIMITS) {
  const most = Math.min(texts.length, limits.paragraphs);
  let chars = 0;
  for (let i = 0; i < most; i++) {
    chars += codePoints(texts[i]);
    if (chars > limits.chars) return i;
  }
  return most;
}

/** The document's identity (for the cache): its paragraph texts in order, joined with U+0000. */
export function documentKey(texts) {
  return texts.join("\u0000");
}

/** Whether two documents have the same paragraph texts in the same order. */
export function sameTexts(a, b) {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}
