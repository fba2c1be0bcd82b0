// What the extension counts as a word: letters and digits, with soft hyphens (U+00AD) and
// zero-width characters (U+200B-U+200D, U+2060) inside a word, as the server treats them.
// Pure (unit tests: restore.test.js).

const IN_WORD = "\\u00ad\\u200b-\\u200d\\u2060";
const WORD_CHAR = `[\\p{L}\\p{N}${IN_WORD}]`;

/** Words of a text (a soft hyphen or zero-width character does not end one). */
export const WORD_RE = new RegExp(`[\\p{L}\\p{N}](?:${WORD_CHAR}*[\\p{L}\\p{N}])?`, "gu");

const ENDS_IN_WORD = new RegExp(`${WORD_CHAR}$`, "u");
const STARTS_IN_WORD = new RegExp(`^${WORD_CHAR}`, "u");

/** Whether UTF-16 offset `i` of `text` lies between two characters of the same word. */
export function insideWord(text, i) {
  return i > 0 && i < text.length && ENDS_IN_WORD.test(text.slice(Math.max(0, i - 2), i)) && STARTS_IN_WORD.test(text.slice(i, i + 2));
}

/** Whether [start, end) of `text` begins and ends at word boundaries (covers whole words). */
export function coversWholeWords(text, start, end) {
  return !insideWord(text, start) && !insideWord(text, end);
}
