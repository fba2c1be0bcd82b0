// The extension's words in the reader's language. Every text the reader meets (pages, popup,
// card, page indicator, toolbar title, error messages) is a message of _locales/<language>/
// messages.json: English (en, the default) and each translation, which the browser picks by its
// own language (docs/extension.md, "Languages"). This module is the one place that looks them up:
// t() for a message, plural() for one that counts, parts() for a message with elements in it,
// localize() for a page's markup (data-i18n attributes). Text only ever goes in as text.
//
// Outside a browser (the unit tests: node --import ./test/i18n-node.mjs) test/i18n-node.mjs
// stands in for the browser's i18n API with the English messages.

/**
 * The browser's i18n API (the same in Chromium and Firefox, and in content scripts).
 * @returns {{getMessage(name: string, substitutions?: string[]): string, getUILanguage(): string}}
 */
function api() {
  const scope = /** @type {{browser?: any, chrome?: any}} */ (/** @type {unknown} */ (globalThis));
  const i18n = scope.browser?.i18n ?? scope.chrome?.i18n;
  if (!i18n) throw new Error("no i18n API here (the unit tests run with --import ./test/i18n-node.mjs)");
  return i18n;
}

/** A missing message fails loudly in test builds and unit tests; the shipped extension logs it
 *  and shows its name. */
const STRICT = typeof __TEST_BUILD__ === "undefined" || __TEST_BUILD__;

/** The message, or "" when there is none of that name.
 *  @param {string} key @param {(string|number)[]} substitutions @returns {string} */
function lookup(key, substitutions) {
  try {
    return api().getMessage(key, substitutions.map(String));
  } catch (error) {
    if (STRICT) throw error;
    return ""; // a content script whose extension was reloaded
  }
}

/** @param {string} key @returns {string} */
function missing(key) {
  const problem = `Unspin: no message "${key}" in _locales/en/messages.json`;
  if (STRICT) throw new Error(problem);
  console.error(problem);
  return key;
}

/**
 * The message `key` in the reader's language, its placeholders filled with `substitutions`
 * (in the order of their $1, $2, ... in messages.json).
 * @param {string} key
 * @param {...(string|number)} substitutions
 */
export function t(key, ...substitutions) {
  return lookup(key, substitutions) || missing(key);
}

/** The language of the messages shown (their own `language_tag`: "en", "de", "pt-BR"...), which
 *  is not always the browser's (a language without a translation shows English). */
export function language() {
  return t("language_tag");
}

const RIGHT_TO_LEFT = /^(ar|ckb|dv|fa|he|ks|ps|sd|ug|ur|yi)(-|$)/i;

/** The direction of the messages' script: "rtl" or "ltr". */
export function direction() {
  return RIGHT_TO_LEFT.test(language()) ? "rtl" : "ltr";
}

/** A number as the reader's language writes it (1,234 · 1.234 · 1 234).
 *  @param {number} value @param {Intl.NumberFormatOptions} [options] */
export function number(value, options = undefined) {
  return new Intl.NumberFormat(language(), options).format(value);
}

/** A share (0..1) as a whole percentage in the reader's language (42% · 42 %). @param {number} share */
export function percent(share) {
  return number(Math.round(share * 100) / 100, { style: "percent", maximumFractionDigits: 0 });
}

/**
 * A message that counts: `key`_one, `key`_other (and, where a language has them, _zero, _two,
 * _few, _many), chosen by the plural rules of the messages' language; the count, written as the
 * language writes numbers, is its first substitution, `substitutions` the others.
 * @param {string} key
 * @param {number} count
 * @param {...(string|number)} substitutions
 */
export function plural(key, count, ...substitutions) {
  const category = new Intl.PluralRules(language()).select(count);
  const args = [number(count), ...substitutions];
  return lookup(`${key}_${category}`, args) || t(`${key}_other`, ...args);
}

/** A wording in quotation marks, as the reader's language writes them (“…” · „…“ · « … »).
 *  @param {string} text */
export function quote(text) {
  return t("quoted", text);
}

/** Alternatives as the reader's language lists them ("a or b", "a oder b"). @param {string[]} items */
export function orList(items) {
  return new Intl.ListFormat(language(), { type: "disjunction" }).format(items);
}

// Where an element goes in a message: a character of Unicode's private use area around its
// number, which no message holds.
const SLOT = /\uE000(\d+)\uE001/;

/**
 * A message with elements (or other text) in it, as the pieces to append: `items` fill its
 * placeholders in order; elements keep their place wherever the language puts them.
 * @param {string} key
 * @param {...(Node|string|number)} items
 * @returns {(Node|string)[]}
 */
export function parts(key, ...items) {
  const text = t(key, ...items.map((_, i) => `\uE000${i}\uE001`));
  return text.split(SLOT).map((piece, i) => (i % 2 ? items[Number(piece)] : piece)).filter((piece) => piece !== "")
    .map((piece) => (typeof piece === "number" ? String(piece) : piece));
}

/** The attributes markup translates: data-i18n-<name>="key" sets <name>. */
const ATTRIBUTES = ["title", "aria-label", "placeholder", "alt"];

/**
 * Put the messages into markup: an element with data-i18n="key" gets that message as its text,
 * its own child elements (a <code>, a link) placed where the message's placeholders are, in
 * order ($1 the first child); data-i18n-title="key" (aria-label, placeholder, alt) sets that
 * attribute. For the whole document, <html lang> and dir follow the messages' language.
 * @param {Document|Element} root
 */
export function localize(root = document) {
  if (root instanceof Document) {
    root.documentElement.lang = language();
    root.documentElement.dir = direction();
  }
  for (const element of root.querySelectorAll("[data-i18n]")) {
    if (!(element instanceof HTMLElement)) continue;
    element.replaceChildren(...parts(/** @type {string} the selector's */ (element.dataset.i18n), ...element.children));
  }
  for (const name of ATTRIBUTES) {
    for (const element of root.querySelectorAll(`[data-i18n-${name}]`)) {
      element.setAttribute(name, t(/** @type {string} the selector's */ (element.getAttribute(`data-i18n-${name}`))));
    }
  }
}
