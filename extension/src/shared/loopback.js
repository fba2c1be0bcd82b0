// The only server addresses the extension talks to: http on this computer. The host list's one
// owner is server/openapi.json ("x-loopback-hosts", api-contract.js); the options page checks
// what the user types, the background checks the stored address again each time it uses it, and
// the manifest's host_permissions and CSP (connect-src) allow the same hosts (manifest.mjs writes
// them from the same list; tests/test_shared_rules.py checks that the server serves them).
import { LOOPBACK_HOSTS } from "./api-contract.js";

export { LOOPBACK_HOSTS };

/** The origin of `value` when it is an http address on a loopback host, else null. @param {unknown} value */
export function loopbackOrigin(value) {
  let url;
  try {
    url = new URL(String(value).trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" || !LOOPBACK_HOSTS.includes(url.hostname)) return null;
  return url.origin;
}
