// What uses the extension's messages (shared/i18n.js): every message the code, the pages and the
// manifest name exists, and every message is used; the pages hold no text of their own, only
// data-i18n elements (and what must not be translated: translate="no"). The messages themselves:
// locales-catalog.test.js.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "parse5";
import { en, placeholders, PLURAL, read, sources, SRC } from "../test/locales.mjs";

// The attributes markup translates (shared/i18n.js ATTRIBUTES) and the text ones it must not set
// itself.
const ATTRIBUTES = ["title", "aria-label", "placeholder", "alt"];

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
