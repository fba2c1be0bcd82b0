// The tab budget a server allows: the extension's own (shared/document.js BUDGET), lowered to
// the limits the server reports (GET /api/v1/health -> limits; an older server reports none).
// Asked once per server address while the background runs; a 413 answer or a fresh health
// check (the popup's) updates it.
import { limitBudget } from "../shared/document.js";
import * as api from "./api.js";

/** @typedef {import("../shared/document.js").Budget} Budget */

/** @type {Map<string, Promise<Budget>>} */
const known = new Map(); // server address -> its budget

/** The budget for `serverUrl`: {paragraphs, paragraphTokens, tokens}. Never throws: a server
 *  that does not answer gets the extension's own budget (and is asked again next time).
 *  @param {string} serverUrl @param {import("./api.js").Secret} secret @returns {Promise<Budget>} */
export function budgetFor(serverUrl, secret) {
  if (!known.has(serverUrl)) {
    const budget = api.health(serverUrl, secret).then(
      (health) => limitBudget(health?.limits),
      () => {
        known.delete(serverUrl);
        return limitBudget(null);
      },
    );
    known.set(serverUrl, budget);
  }
  return /** @type {Promise<Budget>} set above */ (known.get(serverUrl));
}

/** A health answer got elsewhere (the popup's server status): its limits from now on.
 *  @param {string} serverUrl @param {import("./http.js").Json} health */
export function remember(serverUrl, health) {
  known.set(serverUrl, Promise.resolve(limitBudget(health?.limits)));
}

/** The server's limits are in doubt (it refused a request within them): ask again next time.
 *  @param {string} serverUrl */
export function forget(serverUrl) {
  known.delete(serverUrl);
}
