// The browser's i18n API for the unit tests (node --import ./test/i18n-node.mjs --test src/):
// getMessage over src/_locales/<locale>/messages.json as browsers read it ($name$ placeholders,
// whose content holds $1..$9; $$ for a dollar sign; "" for an unknown message), English unless
// useLocale() picks another. shared/i18n.js looks the API up as globalThis.chrome.i18n.
import { readFileSync } from "node:fs";

const LOCALES = new URL("../src/_locales/", import.meta.url);

let messages = {};
let locale = "en";

/** The messages of `name` (a folder of src/_locales) from now on. */
export function useLocale(name) {
  const raw = JSON.parse(readFileSync(new URL(`${name}/messages.json`, LOCALES), "utf8"));
  messages = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key.toLowerCase(), value]));
  locale = name;
}

/** One message with its substitutions, as Chromium and Firefox fill it in. */
export function getMessage(name, substitutions = []) {
  const entry = messages[String(name).toLowerCase()];
  if (!entry) return "";
  const subs = Array.isArray(substitutions) ? substitutions : [substitutions];
  const placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
  const fill = (text) => text.replace(/\$(\$|[1-9])/g, (_, d) => (d === "$" ? "$" : String(subs[Number(d) - 1] ?? "")));
  return entry.message.replace(/\$(\$|[1-9]|[A-Za-z0-9_@]+\$)/g, (match, what) => {
    if (what === "$") return "$";
    if (/^[1-9]$/.test(what)) return String(subs[Number(what) - 1] ?? "");
    const content = placeholders[what.slice(0, -1).toLowerCase()];
    return content === undefined ? match : fill(content);
  });
}

useLocale("en");
globalThis.chrome = { i18n: { getMessage, getUILanguage: () => locale.replace("_", "-") } };
