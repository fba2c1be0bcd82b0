// What goes in the body of a request about an article (api.js): its paragraphs, well-formed, and
// the reader's options.

/** A lone surrogate (the server refuses it) becomes U+FFFD: same UTF-16 length, same offsets.
 *  @param {string} text */
export function wellFormed(text) {
  return typeof text.toWellFormed === "function" ? text.toWellFormed() : text;
}

/** The article part of a request body: the paragraphs and the reader's options. `site`: the
 *  site of the tab that asks (its top-level page), sent as `partition` so that the server's cache
 *  never answers one site from what another site's page asked.
 *  @param {string[]} paragraphs @param {?number} threshold @param {string[]} ignore @param {string} site */
export function articleBody(paragraphs, threshold, ignore, site) {
  /** @type {{paragraphs: string[], offset_unit: string, partition?: string, threshold?: number, ignore?: string[]}} */
  const body = { paragraphs: paragraphs.map(wellFormed), offset_unit: "utf16" }; // the server's number of suggestions
  if (site) body.partition = site; // the server keeps its cached answers apart per asking site
  if (threshold != null) body.threshold = threshold;
  if (ignore.length) body.ignore = ignore.map(wellFormed); // the reader's allow-list
  return body;
}
