// User settings, kept in storage.local; every default lives here.
import browser from "webextension-polyfill";
import { DEFAULT_SERVER_URL } from "./api-contract.js";

/**
 * @typedef {object} Settings  The reader's settings (storage.local; DEFAULTS gives each one).
 * @property {string} serverUrl
 * @property {?number} threshold
 * @property {boolean} highlights
 * @property {"all"|"opt-in"} siteMode
 * @property {string[]} disabledSites
 * @property {string[]} enabledSites
 * @property {"load"|"demand"} analyseOn
 * @property {string[]} ignore
 * @property {Record<string, string[]>} dismissed
 * @property {boolean} feedback
 * @property {boolean} feedbackUrl
 */

/** @type {Readonly<Settings>} */
export const DEFAULTS = Object.freeze({
  serverUrl: DEFAULT_SERVER_URL,
  threshold: null, // null: the model's own threshold (from /api/v1/health)
  highlights: true,
  // Where and when Unspin runs (shared/sites.js, content/gate.js).
  siteMode: "all", // "all": every site but disabledSites; "opt-in": only enabledSites
  disabledSites: [], // sites (registrable domains, shared/sites.js) where it is off
  enabledSites: [], // sites where it is on, in opt-in mode
  analyseOn: "load", // ANALYSE_ON: each article as it opens, or only when the reader asks
  // The reader's corrections (shared/wording.js says how wordings and sites are keyed).
  ignore: [], // the allow-list: words and phrases never to flag (sent to the server as `ignore`)
  dismissed: {}, // site -> wordings the reader marked "not spun" there
  feedback: false, // consent (first-run page): send card actions to the server's feedback store
  feedbackUrl: false, // with consent: include the page's address in each correction
});

/** Values of analyseOn. */
export const ANALYSE_ON = Object.freeze({ LOAD: "load", DEMAND: "demand" });

// The start commands shown when the server is down (README: "Set up"; docs/extension.md).
export const START_COMMANDS = ["make serve", "unspin serve"];

// The server's per-user secret (sent as Authorization: Bearer): handed over by the browser host
// when it starts the server, or pasted on the options page (`unspin token` prints it). It is kept
// under its own key, which getSettings never reads: content scripts, which run inside web pages,
// read the settings but never the secret (ESLint forbids src/content/ the two functions below).
const SECRET_KEY = "secret";

/** The settings (DEFAULTS' keys), without the secret. @returns {Promise<Settings>} */
export async function getSettings() {
  const stored = await browser.storage.local.get(Object.keys(DEFAULTS));
  return { ...DEFAULTS, ...stored };
}

/** @param {Partial<Settings>} changes settings to change (DEFAULTS' keys) */
export function setSettings(changes) {
  return browser.storage.local.set(changes);
}

/**
 * The server's address and its secret ("" when none is known): the background and the options
 * page only.
 * @returns {Promise<{serverUrl: string, secret: string}>}
 */
export async function getConnection() {
  const stored = await browser.storage.local.get(["serverUrl", SECRET_KEY]);
  const secret = stored[SECRET_KEY];
  const serverUrl = typeof stored.serverUrl === "string" ? stored.serverUrl : DEFAULTS.serverUrl;
  return { serverUrl, secret: typeof secret === "string" ? secret : "" };
}

/** Keep the server's secret (the background and the options page only). @param {string} secret */
export function setSecret(secret) {
  return browser.storage.local.set({ [SECRET_KEY]: secret });
}
