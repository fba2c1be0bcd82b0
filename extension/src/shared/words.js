// What the extension counts as a word, by the server's rules (server/words.json, read by both):
// letters and digits, with invisible characters (a soft hyphen, zero-width characters) inside a
// word. Pure (unit tests: restore.test.js, wording.test.js; tests/test_shared_rules.py checks
// that the server agrees).
import RULES from "../../../server/words.json" with { type: "json" };

const WORD_CHAR = `[\\p{L}\\p{N}${RULES.invisible}]`;

/** Words of a text (a soft hyphen or zero-width character does not end one). */
export const WORD_RE = new RegExp(`[\\p{L}\\p{N}](?:${WORD_CHAR}*[\\p{L}\\p{N}])?`, "gu");

/** The invisible in-word characters, all of them (for `replace`). */
export const INVISIBLE_RE = new RegExp(`[${RULES.invisible}]`, "gu");

// A word as the server splits a wording (server/text.py WORD_RE): letters and digits with their
// combining marks, runs joined by an apostrophe or hyphen ("don't", "full-scale").
const LETTER = `(?:[\\p{L}\\p{N}]|[${RULES.combining_marks}])`;
const WORDING_WORD_RE = new RegExp(`[\\p{L}\\p{N}]${LETTER}*(?:[${RULES.joiners}][\\p{L}\\p{N}]${LETTER}*)*`, "gu");

/** The words of a wording as the server reads it: invisible characters dropped, lower case.
 *  @param {string} text @returns {string[]} */
export function wordingWords(text) {
  return String(text).replace(INVISIBLE_RE, "").toLowerCase().match(WORDING_WORD_RE) ?? [];
}

const ENDS_IN_WORD = new RegExp(`${WORD_CHAR}$`, "u");
const STARTS_IN_WORD = new RegExp(`^${WORD_CHAR}`, "u");

/** Whether UTF-16 offset `i` of `text` lies between two characters of the same word.
 *  @param {string} text @param {number} i */
export function insideWord(text, i) {
  return i > 0 && i < text.length && ENDS_IN_WORD.test(text.slice(Math.max(0, i - 2), i)) && STARTS_IN_WORD.test(text.slice(i, i + 2));
}

/** Whether [start, end) of `text` begins and ends at word boundaries (covers whole words).
 *  @param {string} text @param {number} start @param {number} end */
export function coversWholeWords(text, start, end) {
  return !insideWord(text, start) && !insideWord(text, end);
}
