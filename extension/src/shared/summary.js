// Page-level figures from the paragraphs of one analysed document; pure (unit tests: summary.test.js).

// Words as the server counts them (server/text.py WORD_RE): letters/digits joined by ' ’ or -.
const WORD_RE = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function wordRanges(text) {
  return Array.from(text.matchAll(WORD_RE), (m) => [m.index, m.index + m[0].length]);
}

/** Words of a paragraph and how many of them overlap a spun span. */
export function countWords(text, spans) {
  const words = wordRanges(text);
  let spun = 0;
  let i = 0;
  for (const [start, end] of words) {
    while (i < spans.length && spans[i].end <= start) i++;
    if (i < spans.length && spans[i].start < end) spun++;
  }
  return { words: words.length, spunWords: spun };
}

const NO_SIGN = "no sign of spinning";

/**
 * Page figures from the analysed paragraphs ({words, spunWords, spans: [...]}) and the server's
 * summary of the same document ({score, verdict}). The decision is the whole article's, so the
 * verdict and the page score are the server's, never recomputed here; null: nothing analysed.
 */
export function summarise(results, article = null) {
  let words = 0;
  let spunWords = 0;
  let spans = 0;
  for (const r of results) {
    words += r.words;
    spunWords += r.spunWords;
    spans += r.spans.length;
  }
  const spunRatio = words ? spunWords / words : 0;
  return {
    paragraphs: results.length,
    words,
    spunWords,
    spans,
    spunRatio,
    score: article?.score ?? 0,
    verdict: article?.verdict ?? NO_SIGN,
  };
}
