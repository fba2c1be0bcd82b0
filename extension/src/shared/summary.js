// Page-level figures from per-paragraph results; pure (unit tests: summary.test.js).

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

// Same rule as the server's summary (server/engine.py: VERDICTS, Engine.summarize): the page
// score is the word-weighted mean of paragraph scores.
export const VERDICTS = [
  [0.4, "likely spun"],
  [0.3, "possibly spun"],
  [0, "no sign of spinning"],
];

export function verdictFor(score) {
  return VERDICTS.find(([bound]) => score >= bound)[1];
}

/** Sum paragraph results ({score, words, spunWords, spans: [...]}) into the page verdict. */
export function summarise(results) {
  let words = 0;
  let spunWords = 0;
  let spans = 0;
  let weighted = 0;
  for (const r of results) {
    words += r.words;
    spunWords += r.spunWords;
    spans += r.spans.length;
    weighted += r.score * r.words;
  }
  const score = words ? weighted / words : 0;
  const spunRatio = words ? spunWords / words : 0;
  return { paragraphs: results.length, words, spunWords, spans, spunRatio, score, verdict: verdictFor(score) };
}
