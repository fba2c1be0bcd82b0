// The restored wording of a paragraph: every span replaced by its top suggestion; pure.

/**
 * Split `text` into segments [{text, original?}] where spans with a suggestion are replaced;
 * `original` holds the spun wording of a replaced segment.
 */
export function restoreSegments(text, spans) {
  const out = [];
  let pos = 0;
  for (const span of spans) {
    const best = span.suggestions?.[0]?.text;
    if (!best || span.start < pos) continue;
    if (span.start > pos) out.push({ text: text.slice(pos, span.start) });
    out.push({ text: best, original: text.slice(span.start, span.end) });
    pos = span.end;
  }
  if (pos < text.length) out.push({ text: text.slice(pos) });
  return out;
}

export function restoreText(text, spans) {
  return restoreSegments(text, spans).map((s) => s.text).join("");
}
