import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { useLocale } from "../../test/i18n-node.mjs";
import { direction, language, number, orList, parts, percent, plural, quote, t } from "./i18n.js";

afterEach(() => useLocale("en"));

test("a message with its placeholders filled in, in order", () => {
  assert.equal(t("server_running", "http://127.0.0.1:8765", "unspin-lm 1.4"), "Server: running at http://127.0.0.1:8765 · model unspin-lm 1.4");
  assert.equal(t("popup_mark_item", "a $1 b", "c"), "a $1 b → c"); // substitutions go in as they are
  assert.equal(quote("officials"), "“officials”");
});

test("an unknown message fails loudly outside the shipped extension", () => {
  assert.throws(() => t("no_such_message"), /no message "no_such_message"/);
});

test("counts choose the plural form and are written as the language writes numbers", () => {
  assert.equal(plural("count_spans", 1), "1 span");
  assert.equal(plural("count_spans", 0), "0 spans");
  assert.equal(plural("count_words", 12500), "12,500 words");
  assert.equal(plural("options_imported", 3, "list.txt"), "Imported 3 wordings from list.txt.");
  assert.equal(percent(0.126), "13%");
  assert.equal(number(0.5, { minimumFractionDigits: 2 }), "0.50");
  assert.equal(orList(["127.0.0.1", "localhost"]), "127.0.0.1 or localhost");
});

test("each language counts by its own plural rules and writes numbers its own way", () => {
  useLocale("fr");
  assert.equal(plural("count_spans", 0), "0 passage"); // French: 0 and 1 are singular
  assert.equal(plural("count_spans", 2), "2 passages");
  assert.equal(plural("count_words", 12500), "12\u202f500 mots");
  assert.match(percent(0.42), /^42[\u00a0\u202f]%$/u); // a no-break space before %
  assert.equal(quote("officials"), "«\u00a0officials\u00a0»");
  useLocale("de");
  assert.equal(plural("count_spans", 1), "1 Stelle");
  assert.equal(plural("count_words", 12500), "12.500 Wörter");
  assert.equal(number(0.35, { minimumFractionDigits: 2 }), "0,35");
  assert.equal(orList(["127.0.0.1", "localhost"]), "127.0.0.1 oder localhost");
  assert.equal(language(), "de");
  useLocale("es");
  assert.equal(plural("popup_dismissed", 1), "1 marca descartada en esta página");
  assert.equal(quote("officials"), "«officials»");
});

test("elements keep their place in a message", () => {
  const make = { element: "make serve" };
  const installed = { element: "unspin serve" };
  assert.deepEqual(parts("popup_start_help", make, installed), [
    "Start it on this computer, from the Unspin folder: ", make, " (or, once installed: ", installed, ").",
  ]);
  const link = { element: "a" };
  assert.deepEqual(parts("popup_footer", link), [link, " · everything stays on this computer, but a search you ask for"]);
});

test("the language is the messages' own, and its direction", () => {
  assert.equal(language(), "en");
  assert.equal(direction(), "ltr");
});
