// How many language-model tokens a paragraph costs the server: the unit of its limits
// (POST /api/v1/analyze answers 413 over GET /api/v1/health -> limits.max_tokens). The one
// estimate the extension makes of it. Pure: unit tests in tokens.test.js, which pin it against
// counts measured with the model's own tokenizer.
//
// The LM's tokenizer is byte-level BPE (SmolLM2's), and the server encodes each paragraph after a
// space, so the UTF-8 bytes of " " + text are a hard upper bound: no token is shorter than a byte.
// Ordinary text costs far less, and the estimate stays above the real count for it:
//   - ASCII letters: a quarter token each (half for capitals: upper-case text splits into more
//     pieces), plus half a token per word (a rare word's extra pieces), and a word is at least
//     one token;
//   - ASCII digits, punctuation and symbols: one token each (digits are never merged, and a
//     space before a digit is a token of its own);
//   - a run of white space: the first space joins the next word, each further one a token;
//   - other characters by their UTF-8 length: 2 bytes (accented Latin, Greek, Cyrillic, Arabic,
//     Hebrew) 1.5 tokens, 3 bytes (CJK, Hangul, Thai, Devanagari, curly quotes) 3, astral-plane
//     characters (emoji, rare ideographs) 4, with half a token per word as for ASCII;
//   - one token per paragraph for the separator between paragraphs.
// Measured on English news paragraphs: 1.3 to 2 times the real count. Text made of rare long
// names (a list of Welsh place names) can cost more than estimated: the server's 413 answer
// (background/main.js shrinks the selection then) covers what an estimate cannot.

const PER_WORD = 0.5;
const PER_PARAGRAPH = 1;

/** The cost of one code point: [tokens, UTF-8 bytes, whether it is part of a word].
 *  @param {number} c @returns {[number, number, boolean]} */
function cost(c) {
  if (c >= 0x61 && c <= 0x7a) return [0.25, 1, true]; // a-z
  if (c >= 0x41 && c <= 0x5a) return [0.5, 1, true]; // A-Z
  if (c < 0x80) return [1, 1, false]; // digits, punctuation, symbols (white space: see below)
  if (c < 0x800) return [1.5, 2, true];
  if (c < 0x10000) return [3, 3, true];
  return [4, 4, true];
}

const isDigit = (/** @type {number} */ c) => c >= 0x30 && c <= 0x39;
const isSpace = (/** @type {number} */ c) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;

/**
 * A conservative estimate of the LM tokens of one paragraph (never above its UTF-8 bytes plus
 * the leading space and separator): an integer.
 * @param {string} text
 */
export function estimateTokens(text) {
  let tokens = PER_PARAGRAPH;
  let bytes = 1; // the leading space
  let word = 0; // the cost of the word being read (0: none)
  let afterSpace = true; // the leading space
  const endWord = () => {
    if (word) tokens += Math.max(1, word); // no word is less than a token
    word = 0;
  };
  for (const char of text) {
    const c = /** @type {number} a character has one */ (char.codePointAt(0));
    if (isSpace(c)) {
      endWord();
      if (afterSpace) tokens += 1;
      bytes += c < 0x80 ? 1 : 2;
      afterSpace = true;
      continue;
    }
    const [t, b, wordChar] = cost(c);
    if (wordChar) word += (word ? 0 : PER_WORD) + t;
    else {
      endWord();
      tokens += t + (afterSpace && isDigit(c) ? 1 : 0); // a space before a digit is a token of its own
    }
    bytes += b;
    afterSpace = false;
  }
  endWord();
  return Math.min(Math.ceil(tokens), bytes + PER_PARAGRAPH);
}
