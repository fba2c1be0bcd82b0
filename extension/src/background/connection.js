// The server the background talks to, checked before anything is sent: it must prove it knows the
// per-user secret (api.verify). When nothing answers (or no secret is known here) and the reader
// allowed it (the optional nativeMessaging permission, asked on the first-run page), the browser
// host (`unspin browser-host install`, server/native_host.py) starts `unspin serve` on the
// configured port and hands over the secret; starts asked for meanwhile share that one.
import browser from "webextension-polyfill";
import { BROWSER_HOST } from "../shared/api-contract.js";
import { mayStart } from "../shared/host-permission.js";
import { getConnection, setSecret } from "../shared/settings.js";
import * as api from "./api.js";
import { t } from "../shared/i18n.js";

/** @type {?Promise<?string>} */
let starting = null; // the secret, from the start in flight

/** Ask the browser host to start the server at `serverUrl`; resolves to its secret (kept in
 *  the settings). Throws ServerError: "start-failed" with the host's message; null when the
 *  host is not installed (the caller reports its own error).
 *  @param {string} serverUrl @returns {Promise<?string>} */
async function startServer(serverUrl) {
  const url = new URL(serverUrl);
  /** @type {{type: string, port: number, origin?: string}} */
  const message = { type: "start", port: Number(url.port) || 80 };
  // Firefox's origin is random per install: the host starts the server allowing it.
  if (__BROWSER__ === "firefox") message.origin = new URL(browser.runtime.getURL("")).origin;
  /** @type {?{type?: unknown, secret?: unknown, message?: unknown}} */
  let answer;
  try {
    answer = /** @type {typeof answer} */ (await browser.runtime.sendNativeMessage(BROWSER_HOST, message));
  } catch {
    return null; // not installed (or not for this browser)
  }
  if (answer?.type !== "ready" || typeof answer.secret !== "string") {
    throw new api.ServerError("start-failed", t("error_start_failed", String(answer?.message ?? t("error_host_no_answer"))));
  }
  await setSecret(answer.secret);
  return answer.secret;
}

/**
 * The address and secret of a server that proved it knows the secret; when none answers (or not
 * with the secret kept here), the browser host is asked: it starts the server, or hands over the
 * secret of the one running (onStarting() is called first). Throws ServerError: the
 * first check's error when the host cannot help ("down", "no-secret", "impostor", ...).
 * @param {() => void} onStarting
 * @returns {Promise<{serverUrl: string, secret: string}>}
 */
export async function connect(onStarting = () => {}) {
  const { serverUrl, secret } = await getConnection();
  try {
    await api.verify(serverUrl, secret);
    return { serverUrl, secret };
  } catch (error) {
    // "impostor" too: the secret kept here may be an old one (the file was deleted); the host
    // checks what answers against the file's secret and never hands it to anything else.
    const canHelp = error instanceof api.ServerError && ["down", "no-secret", "impostor"].includes(error.kind);
    if (!canHelp || !(await mayStart())) throw error;
    onStarting();
    starting ??= startServer(serverUrl).finally(() => (starting = null));
    const fresh = await starting;
    if (fresh === null) throw error;
    await api.verify(serverUrl, fresh);
    return { serverUrl, secret: fresh };
  }
}
