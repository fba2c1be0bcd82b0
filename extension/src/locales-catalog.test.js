// The extension's messages (src/_locales/<language>/messages.json, shared/i18n.js): every language
// has every message of English and no other (beyond the plural forms its language needs), with
// the same placeholders, and the manifest's texts fit. What uses them: locales-usage.test.js.
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogs, en, json, languages, placeholders, PLURAL, references, SRC } from "../test/locales.mjs";

const KEY = /^[a-z][a-z0-9_]*$/;
const EXTRA_PLURALS = /_(zero|two|few|many)$/; // forms English does not have
const DESCRIPTION_MAX = 132; // the manifest's description (Chrome Web Store, AMO)
const NAME_MAX = 45;

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
