// "Find the original": the query that looks for the article a spun copy was made from. Once
// Unspin has restored a spun passage, the restored sentence is usually the original's exact
// wording, so an exact-phrase search for it tends to find the source (retrieval is what finds
// paraphrased copies most reliably). The sentence chosen is the article's best restored one: the
// most restored words, then the most distinctive terms (names, figures, long words), which make a
// phrase rare on the web. Pure (unit tests: original.test.js); the background runs the search.
// `searchNote` says what became of it, wherever the reader asked.
import { t } from "./i18n.js";
import { restoreSegments } from "./restore.js";
import { WORD_RE } from "./words.js";

/** Words of a query at most: the major search engines ignore words past 32. */
export const MAX_QUERY_WORDS = 32;
const DISTINCTIVE_LETTERS = 9; // a word this long is rare enough to count as a distinctive term
const QUOTES_RE = /["“”„«»]/g; // they would end the exact phrase early

/**
 * @typedef {{start: number, end: number}} Range  UTF-16 offsets in a restored paragraph.
 * @typedef {{text: string, restored: number, distinctive: number}} Candidate
 *   A restored sentence (or its best MAX_QUERY_WORDS-word part), its restored words and its
 *   distinctive terms.
 * @typedef {{at: number, end: number, restored: boolean, distinctive: boolean}} Word
 *   A word of a sentence: where it lies, whether it is restored wording, whether it is distinctive.
 */

/** A paragraph with every top suggestion applied: its text and the ranges of the restored wording.
 *  @param {{text: string, spans?: import("./message-types.js").Span[]}} paragraph */
function restoredParagraph(paragraph) {
  let text = "";
  /** @type {Range[]} */
  const restored = [];
  for (const segment of restoreSegments(paragraph.text, paragraph.spans || [])) {
    if (segment.original != null) restored.push({ start: text.length, end: text.length + segment.text.length });
    text += segment.text;
  }
  return { text, restored };
}

/** Whether a word (not the sentence's first) is a distinctive term: a figure, a name or a long word.
 *  @param {string} word @param {boolean} first */
function distinctive(word, first) {
  return /\p{N}/u.test(word) || (!first && /^\p{Lu}/u.test(word)) || [...word].length >= DISTINCTIVE_LETTERS;
}

/** The words of [start, end) of `text` (a sentence): where each lies, whether it is restored
 *  wording and whether it is a distinctive term.
 *  @param {string} text @param {number} start @param {number} end @param {Range[]} restored @returns {Word[]} */
function wordsOf(text, start, end, restored) {
  return [...text.slice(start, end).matchAll(WORD_RE)].map((match, k) => {
    const at = start + match.index;
    const stop = at + match[0].length;
    return { at, end: stop, restored: restored.some((r) => at < r.end && r.start < stop), distinctive: distinctive(match[0], k === 0) };
  });
}

/** The best part of at most MAX_QUERY_WORDS of a sentence's words: the most restored words, and
 *  of such parts the one whose middle is nearest theirs (the restored wording in context).
 *  @param {Word[]} words @returns {Word[]} */
function bestWindow(words) {
  if (words.length <= MAX_QUERY_WORDS) return words;
  const restored = words.flatMap((w, i) => (w.restored ? [i] : []));
  const middle = (restored[0] + /** @type {number} */ (restored.at(-1))) / 2;
  let best = 0;
  let bestKey = [-1, 0];
  for (let i = 0; i + MAX_QUERY_WORDS <= words.length; i += 1) {
    const key = [restored.filter((k) => k >= i && k < i + MAX_QUERY_WORDS).length, -Math.abs(i + (MAX_QUERY_WORDS - 1) / 2 - middle)];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) [best, bestKey] = [i, key];
  }
  return words.slice(best, best + MAX_QUERY_WORDS);
}

/**
 * The article's best restored sentence: the one with the most restored words, then the most
 * distinctive terms (the first in reading order on a tie), from its first word to its last (cut
 * to its best MAX_QUERY_WORDS words); null when nothing in the article is restored (no mark has a suggestion yet).
 * @param {?{paragraphs: {text: string, spans?: import("./message-types.js").Span[]}[]}} article
 * @returns {?Candidate}
 */
export function bestRestoredSentence(article) {
  /** @type {?Candidate} */
  let best = null;
  const segmenter = new Intl.Segmenter(undefined, { granularity: "sentence" });
  for (const paragraph of article?.paragraphs || []) {
    const { text, restored } = restoredParagraph(paragraph);
    if (!restored.length) continue;
    for (const { index, segment } of segmenter.segment(text)) {
      const words = bestWindow(wordsOf(text, index, index + segment.length, restored));
      const count = words.filter((w) => w.restored).length;
      if (!count) continue;
      const terms = words.filter((w) => w.distinctive).length;
      if (best && (count < best.restored || (count === best.restored && terms <= best.distinctive))) continue;
      best = { text: text.slice(words[0].at, /** @type {Word} */ (words.at(-1)).end).replace(QUOTES_RE, " ").replace(/\s+/g, " ").trim(), restored: count, distinctive: terms };
    }
  }
  return best;
}

/** The exact-phrase query for a sentence (its double quotes dropped: they would end the phrase).
 *  @param {string} sentence */
export function phraseQuery(sentence) {
  return `"${sentence.replace(QUOTES_RE, " ").replace(/\s+/g, " ").trim()}"`;
}

/** What became of a search for the original, in words. @param {?import("./message-types.js").FindOriginalResult} result */
export function searchNote(result) {
  if (result?.searched) return t("find_original_searched", result.query);
  if (result?.reason === "nothing-restored") return t("find_original_nothing");
  return t("find_original_failed", result?.message || t("actions_no_answer"));
}
