// The extension's messages (src/_locales/<language>/messages.json, shared/i18n.js): every language
// has every message of English and no other (beyond the plural forms its language needs), with
// the same placeholders; every message the code, the pages and the manifest name exists, and
// every message is used; the pages hold no text of their own, only data-i18n elements (and
// what must not be translated: translate="no").
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "parse5";

const SRC = new URL("./", import.meta.url);
const LOCALES = new URL("_locales/", SRC);
const read = (url) => readFileSync(url, "utf8");
const json = (url) => JSON.parse(read(url));

const KEY = /^[a-z][a-z0-9_]*$/;
const PLURAL = /_(zero|one|two|few|many|other)$/;
const EXTRA_PLURALS = /_(zero|two|few|many)$/; // forms English does not have
const DESCRIPTION_MAX = 132; // the manifest's description (Chrome Web Store, AMO)
const NAME_MAX = 45;
// The attributes markup translates (shared/i18n.js ATTRIBUTES) and the text ones it must not set
// itself.
const ATTRIBUTES = ["title", "aria-label", "placeholder", "alt"];

const en = json(new URL("en/messages.json", LOCALES));
const languages = readdirSync(LOCALES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const catalogs = Object.fromEntries(languages.map((name) => [name, json(new URL(`${name}/messages.json`, LOCALES))]));

/** Every file under src/ whose name ends with `suffix` (tests left out). */
function sources(suffix, dir = SRC) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const url = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
    if (entry.isDirectory()) return entry.name === "_locales" ? [] : sources(suffix, url);
    return entry.name.endsWith(suffix) && !entry.name.endsWith(".test.js") ? [url] : [];
  });
}

/** The placeholders of a message: {name (lower case): content}. */
function placeholders(entry) {
  return Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
}

/** The $name$ references of a message's text, lower case. */
function references(message) {
  return [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase());
}

// --- the catalogs ------------------------------------------------------------------------------

test("English is the manifest's default language, and Spanish, French and German are there", () => {
  for (const language of ["en", "es", "fr", "de"]) assert.ok(languages.includes(language), `${language}: ${languages.join(", ")}`);
  assert.equal(json(new URL("manifest.json", SRC)).default_locale, "en");
});

test("every English message has a name browsers accept, a text and a description for translators", () => {
  for (const [key, entry] of Object.entries(en)) {
    assert.match(key, KEY);
    assert.ok(typeof entry.message === "string" && entry.message.trim(), key);
    assert.ok(typeof entry.description === "string" && entry.description.trim().length > 10, `${key}: no description`);
  }
});

test("plural messages come in _one and _other pairs", () => {
  for (const key of Object.keys(en).filter((k) => PLURAL.test(k))) {
    const base = key.replace(PLURAL, "");
    assert.ok(`${base}_one` in en && `${base}_other` in en, `${key}: ${base}_one and ${base}_other`);
    assert.deepEqual(placeholders(en[key]), placeholders(en[`${base}_other`]), key);
  }
});

for (const language of languages) {
  const catalog = catalogs[language];

  test(`${language}: exactly English's messages (and the plural forms of its own language)`, () => {
    const missing = Object.keys(en).filter((key) => !(key in catalog));
    const extra = Object.keys(catalog).filter((key) => !(key in en) && !(EXTRA_PLURALS.test(key) && `${key.replace(EXTRA_PLURALS, "")}_other` in en));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    for (const [key, entry] of Object.entries(catalog)) assert.ok(typeof entry.message === "string" && entry.message.trim(), `${language} ${key}`);
  });

  test(`${language}: each message has English's placeholders, each used, and no other $`, () => {
    for (const [key, entry] of Object.entries(catalog)) {
      const english = en[key] ?? en[key.replace(EXTRA_PLURALS, "_other")];
      assert.deepEqual(placeholders(entry), placeholders(english), `${language} ${key}: placeholders`);
      const used = references(entry.message);
      assert.deepEqual([...new Set(used)].sort(), Object.keys(placeholders(entry)).sort(), `${language} ${key}: every placeholder used, none undefined`);
      const rest = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, "").replace(/\$\$/g, "");
      assert.ok(!rest.includes("$"), `${language} ${key}: a $ outside a placeholder (write $$ for a dollar sign)`);
    }
  });

  test(`${language}: its language tag is its folder's, and the manifest's texts fit`, () => {
    assert.equal(catalog.language_tag.message, language.replace("_", "-"));
    assert.deepEqual(Intl.getCanonicalLocales(catalog.language_tag.message), [catalog.language_tag.message]);
    assert.ok(catalog.ext_name.message.length <= NAME_MAX, "ext_name");
    assert.ok(catalog.ext_description.message.length <= DESCRIPTION_MAX, `ext_description: ${catalog.ext_description.message.length} characters`);
  });
}

// --- what uses them ------------------------------------------------------------------------------

const scripts = sources(".js").map((url) => ({ url, text: read(url) }));
const pages = sources(".html").map((url) => ({ url, document: parse(read(url)) }));
const manifest = read(new URL("manifest.json", SRC));

/** The elements of a parsed page, with their ancestors. */
function* elements(node, ancestors = []) {
  for (const child of node.childNodes ?? []) {
    if (!child.tagName) continue;
    yield { element: child, ancestors };
    yield* elements(child.tagName === "template" ? child.content : child, [...ancestors, child]);
  }
}

const attribute = (element, name) => element.attrs.find((a) => a.name === name)?.value;
const fileName = (url) => url.pathname.slice(SRC.pathname.length);

/** The messages a page's markup names: [{key, file, element, kind ("text" or an attribute)}]. */
function markupKeys() {
  return pages.flatMap(({ url, document }) => [...elements(document)].flatMap(({ element }) => [
    ...(attribute(element, "data-i18n") ? [{ key: attribute(element, "data-i18n"), file: fileName(url), element, kind: "text" }] : []),
    ...ATTRIBUTES.filter((name) => attribute(element, `data-i18n-${name}`)).map((name) => ({ key: attribute(element, `data-i18n-${name}`), file: fileName(url), element, kind: name })),
  ]));
}

test("every message the code, the pages and the manifest name exists in English", () => {
  const named = [];
  for (const { url, text } of scripts) {
    for (const match of text.matchAll(/\b(t|parts)\(\s*["']([^"']+)["']/g)) named.push([fileName(url), match[2]]);
    for (const match of text.matchAll(/\bplural\(\s*["']([^"']+)["']/g)) named.push([fileName(url), `${match[1]}_one`], [fileName(url), `${match[1]}_other`]);
  }
  for (const { key, file } of markupKeys()) named.push([file, key]);
  for (const match of manifest.matchAll(/__MSG_(\w+?)__/g)) named.push(["manifest.json", match[1]]);
  assert.ok(named.length > 100, `only ${named.length} uses found`);
  assert.deepEqual(named.filter(([, key]) => !(key in en)), []);
});

test("every English message is used: named in the code, a page or the manifest", () => {
  const everything = [...scripts.map((s) => s.text), ...pages.map(({ url }) => read(url)), manifest].join("\n");
  const unused = Object.keys(en).filter((key) => {
    const name = key.replace(PLURAL, "");
    return ![`"${name}"`, `'${name}'`, `__MSG_${name}__`].some((quoted) => everything.includes(quoted));
  });
  assert.deepEqual(unused, []);
});

test("the pages hold no text of their own: data-i18n elements get theirs from the messages", () => {
  const problems = [];
  for (const { url, document } of pages) {
    const file = fileName(url);
    assert.ok(attribute([...elements(document)][0].element, "lang"), `${file}: <html lang>`);
    for (const { element, ancestors } of elements(document)) {
      if (["script", "style"].includes(element.tagName)) continue;
      const untranslated = [element, ...ancestors].some((e) => attribute(e, "translate") === "no");
      for (const child of element.childNodes) {
        if (child.nodeName === "#text" && /\S/u.test(child.value) && !untranslated) {
          problems.push(`${file}: <${element.tagName}> holds text of its own: ${JSON.stringify(child.value.trim())} (give it data-i18n, or translate="no" for a command)`);
        }
      }
      for (const name of ATTRIBUTES) {
        const value = attribute(element, name);
        if (value && /\S/u.test(value) && !untranslated) problems.push(`${file}: <${element.tagName} ${name}="${value}"> (use data-i18n-${name})`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("a data-i18n element's children are its message's placeholders, in order; translated attributes have none", () => {
  for (const { key, file, element, kind } of markupKeys()) {
    if (!(key in en)) continue; // the test above names it
    const contents = Object.values(placeholders(en[key])).sort();
    if (kind !== "text") {
      assert.deepEqual(contents, [], `${file} data-i18n-${kind}="${key}"`);
      continue;
    }
    const children = element.childNodes.filter((c) => c.tagName).length;
    assert.deepEqual(contents, Array.from({ length: children }, (_, i) => `$${i + 1}`), `${file} data-i18n="${key}": ${children} child elements`);
  }
});
