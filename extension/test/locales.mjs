// What the locale tests share (src/locales-catalog.test.js, src/locales-usage.test.js): the
// extension's messages (src/_locales/<language>/messages.json) and the source files that name them.
import { readdirSync, readFileSync } from "node:fs";

export const SRC = new URL("../src/", import.meta.url);
const LOCALES = new URL("_locales/", SRC);
export const read = (url) => readFileSync(url, "utf8");
export const json = (url) => JSON.parse(read(url));

export const PLURAL = /_(zero|one|two|few|many|other)$/;

export const en = json(new URL("en/messages.json", LOCALES));
export const languages = readdirSync(LOCALES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
export const catalogs = Object.fromEntries(languages.map((name) => [name, json(new URL(`${name}/messages.json`, LOCALES))]));

/** Every file under src/ whose name ends with `suffix` (tests left out). */
export function sources(suffix, dir = SRC) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const url = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
    if (entry.isDirectory()) return entry.name === "_locales" ? [] : sources(suffix, url);
    return entry.name.endsWith(suffix) && !entry.name.endsWith(".test.js") ? [url] : [];
  });
}

/** The placeholders of a message: {name (lower case): content}. */
export function placeholders(entry) {
  return Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
}

/** The $name$ references of a message's text, lower case. */
export function references(message) {
  return [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase());
}
