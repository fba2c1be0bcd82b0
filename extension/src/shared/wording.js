// What the reader's corrections are keyed on, and the allow-list's file format. Pure (unit tests:
// wording.test.js).
//
// A dismissed mark stays gone for the same wording on the same site: the site is sites.js's
// (the registrable domain), the wording is the span's text in lower case with its spaces collapsed.
// The allow-list (words and phrases never to flag) goes to the server as `ignore` with every
// analyze request; as a file it is plain text, one wording per line, blank lines and lines that
// start with # skipped: the format `unspin analyze --ignore FILE` reads.

export const MAX_ALLOW_LIST = 1000; // entries (the server's limit for `ignore`)
export const MAX_WORDING_CHARS = 200; // characters per entry (the server's limit)

/** The key of a wording: lower case, runs of white space as one space, trimmed. */
export function wordingKey(text) {
  return String(text).replace(/\s+/gu, " ").trim().toLowerCase();
}

/**
 * A clean allow-list from anything stored or typed: strings only, trimmed, spaces collapsed,
 * 1-200 characters, no repeats (case-insensitive, the first spelling kept), at most 1000 entries.
 */
export function cleanAllowList(list) {
  const seen = new Set();
  const out = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item !== "string") continue;
    const wording = item.replace(/\s+/gu, " ").trim();
    const key = wording.toLowerCase();
    if (!wording || wording.length > MAX_WORDING_CHARS || seen.has(key)) continue;
    seen.add(key);
    out.push(wording);
    if (out.length === MAX_ALLOW_LIST) break;
  }
  return out;
}

/** The wordings of an allow-list file (one per line; blank lines and # comments skipped). */
export function parseAllowList(text) {
  return cleanAllowList(String(text).split(/\r\n|\r|\n/).filter((line) => !line.trimStart().startsWith("#")));
}

/** An allow-list as a file: one wording per line. */
export function formatAllowList(list) {
  const clean = cleanAllowList(list);
  return clean.length ? `${clean.join("\n")}\n` : "";
}
