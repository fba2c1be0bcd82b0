// What the extension shows for each of a summary's verdicts. The server decides the verdict and
// the contract lists them (server/openapi.json: Summary.verdict, read by api-contract.js); this
// table only says how each looks: its words in the popup and the reports, the toolbar button's
// title, and the badge's colour (the words are messages in _locales). Unit test: verdicts.test.js
// (one look per verdict of the contract); tests/test_shared_rules.py (the server's verdicts).
import { VERDICTS } from "./api-contract.js";

export { VERDICTS };

/** @typedef {"likely spun"|"possibly spun"|"no sign of spinning"} Verdict  Summary.verdict */

/**
 * @typedef {object} VerdictLook
 * @property {string} text  the message naming the verdict (summary.js)
 * @property {string} title  the message of the toolbar button's title (page-status.js)
 * @property {string} colour  the badge's background (background/badge.js)
 */

/** @type {Readonly<Record<Verdict, VerdictLook>>} */
const LOOKS = Object.freeze({
  "likely spun": { text: "verdict_likely_spun", title: "button_title_likely_spun", colour: "#c92a2a" },
  "possibly spun": { text: "verdict_possibly_spun", title: "button_title_possibly_spun", colour: "#e8590c" },
  "no sign of spinning": { text: "verdict_no_sign", title: "button_title_no_sign", colour: "#2b8a3e" },
});

/** Whether `value` is one of the contract's verdicts. @param {unknown} value @returns {value is Verdict} */
export function isVerdict(value) {
  return typeof value === "string" && VERDICTS.includes(value);
}

/** How a verdict looks (null: not one of the contract's). @param {unknown} verdict @returns {?VerdictLook} */
export function lookOf(verdict) {
  return isVerdict(verdict) && Object.hasOwn(LOOKS, verdict) ? LOOKS[verdict] : null;
}

/** The verdicts this table gives a look (the test compares them with the contract's). */
export const LOOKED_VERDICTS = Object.freeze(Object.keys(LOOKS));
