// The only server addresses the extension talks to: http on this computer. One owner for the
// host list; the options page checks what the user types, the background checks the stored
// address again each time it uses it, and manifest.json's host_permissions and CSP
// (connect-src) allow the same hosts.

export const LOOPBACK_HOSTS = Object.freeze(["127.0.0.1", "localhost"]);

/** The origin of `value` when it is an http address on a loopback host, else null. */
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
