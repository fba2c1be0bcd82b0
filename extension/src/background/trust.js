// Trusting the server before anything goes to it (api.js): its address must be on this computer
// (checked each time: storage can hold anything), and it must prove it knows the per-user secret
// (its HMAC of a fresh nonce, asked without the secret) before any call carries the secret
// (Authorization: Bearer), so a program squatting the port gets neither the secret nor any text.
import { NONCE_PATTERN } from "../shared/api-contract.js";
import { loopbackOrigin } from "../shared/loopback.js";
import { t } from "../shared/i18n.js";
import { HEALTH_TIMEOUT_MS, request, ServerError } from "./http.js";

const TOKEN_COMMAND = "unspin token"; // prints the server's secret

/** The server's origin from the stored address, checked each time: storage can hold anything.
 *  @param {string} serverUrl @returns {string} */
export function serverOrigin(serverUrl) {
  const origin = loopbackOrigin(serverUrl);
  if (!origin) throw new ServerError("not-loopback", t("error_not_loopback", serverUrl));
  return origin;
}

/** The headers of a call with the secret.
 *  @param {?string | undefined} secret  none: throws "no-secret" @param {Record<string, string>} [headers] */
export function withSecret(secret, headers = {}) {
  if (!secret) throw new ServerError("no-secret", t("error_no_secret", TOKEN_COMMAND));
  return { ...headers, Authorization: `Bearer ${secret}` };
}

/** @param {ArrayBuffer | Uint8Array} bytes */
function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256(secret, "<host>\n<nonce>") in lower-case hex (server/api/secret.py: proof).
 *  @param {string} secret @param {string} host @param {string} nonce @returns {Promise<string>} */
export async function proof(secret, host, nonce) {
  const encode = (/** @type {string} */ text) => new TextEncoder().encode(text);
  const key = await crypto.subtle.importKey("raw", encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, encode(`${host.toLowerCase()}\n${nonce}`)));
}

/** Check that the server at `serverUrl` knows `secret` before anything is sent with it: a fresh
 *  nonce goes to health's public part (without the secret), whose `proof` must be our own HMAC
 *  of it. Throws ServerError ("impostor" when the answer is not that proof).
 *  @param {string} serverUrl @param {?string | undefined} secret */
export async function verify(serverUrl, secret) {
  const origin = serverOrigin(serverUrl);
  withSecret(secret); // none: nothing to check against
  const nonce = hex(crypto.getRandomValues(new Uint8Array(24)));
  if (!NONCE_PATTERN.test(nonce)) throw new Error("nonce outside the contract's pattern");
  const answer = await request(`${origin}/api/v1/health?nonce=${nonce}`, { method: "GET" }, HEALTH_TIMEOUT_MS);
  if (answer?.proof !== (await proof(/** @type {string} withSecret threw if none */ (secret), new URL(origin).host, nonce))) {
    throw new ServerError("impostor", t("error_impostor", origin));
  }
}
