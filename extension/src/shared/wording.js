// What the reader's corrections are keyed on, and the allow-list's file format. Pure (unit tests:
// wording.test.js).
//
// A dismissed mark stays gone for the same wording on the same site: the site is sites.js's
// (the registrable domain), the wording is keyed as the server keys the allow-list (its words,
// invisible characters dropped, in lower case: words.js).
// The allow-list (words and phrases never to flag) goes to the server as `ignore` with every
// analyze request; as a file it is plain text, one wording per line, blank lines and lines that
// start with # skipped: the format `unspin analyze --ignore FILE` reads.
import { MAX_ALLOW_LIST, MAX_WORDING_CHARS } from "./api-contract.js";
import { wordingWords } from "./words.js";

/** The key of a wording, as the server's (server/text.py wording_key): its words, invisible
 *  characters dropped, in lower case, joined by single spaces ("War\u00adfare, " -> "warfare").
 *  @param {string} text */
export function wordingKey(text) {
  return wordingWords(text).join(" ");
}

/**
 * A clean allow-list from anything stored or typed: strings only, trimmed, spaces collapsed,
 * 1 to MAX_WORDING_CHARS code points, no repeats (case-insensitive, the first spelling kept), at
 * most MAX_ALLOW_LIST entries (the server's limits: api-contract.js).
 * @param {unknown} list @returns {string[]}
 */
export function cleanAllowList(list) {
  /** @type {Set<string>} */
  const seen = new Set();
  /** @type {string[]} */
  const out = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item !== "string") continue;
    const wording = item.replace(/\s+/gu, " ").trim();
    const key = wording.toLowerCase();
    if (!wording || [...wording].length > MAX_WORDING_CHARS || seen.has(key)) continue;
    seen.add(key);
    out.push(wording);
    if (out.length === MAX_ALLOW_LIST) break;
  }
  return out;
}

/** The wordings of an allow-list file (one per line; blank lines and # comments skipped). @param {string} text */
export function parseAllowList(text) {
  return cleanAllowList(String(text).split(/\r\n|\r|\n/).filter((line) => !line.trimStart().startsWith("#")));
}

/** An allow-list as a file: one wording per line. @param {unknown} list  cleaned first */
export function formatAllowList(list) {
  const clean = cleanAllowList(list);
  return clean.length ? `${clean.join("\n")}\n` : "";
}
