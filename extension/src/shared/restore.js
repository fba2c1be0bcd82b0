// The restored wording of a paragraph: every span over whole words replaced by its top
// suggestion (a suggestion never replaces part of a word); pure.
import { coversWholeWords } from "./words.js";

/**
 * Split `text` into segments [{text, original?}] where spans with a suggestion are replaced;
 * `original` holds the spun wording of a replaced segment (soft hyphens and zero-width
 * characters included). Spans that begin or end inside a word keep the page's text.
 * @param {string} text @param {import("./message-types.js").Span[]} spans
 * @returns {{text: string, original?: string}[]}
 */
export function restoreSegments(text, spans) {
  /** @type {{text: string, original?: string}[]} */
  const out = [];
  let pos = 0;
  for (const span of spans) {
    const best = span.suggestions?.[0]?.text;
    if (!best || span.start < pos || !coversWholeWords(text, span.start, span.end)) continue;
    if (span.start > pos) out.push({ text: text.slice(pos, span.start) });
    out.push({ text: best, original: text.slice(span.start, span.end) });
    pos = span.end;
  }
  if (pos < text.length) out.push({ text: text.slice(pos) });
  return out;
}

/** The paragraph's text with every span restored (restoreSegments).
 *  @param {string} text @param {import("./message-types.js").Span[]} spans */
export function restoreText(text, spans) {
  return restoreSegments(text, spans).map((s) => s.text).join("");
}
