// Firefox gives each install of the extension its own origin (moz-extension://<uuid>), which the
// server refuses unless started with --allow-origin (Chromium's fixed id is always allowed). The
// command with this install's own origin, shown on the first-run page, the options page and in
// the popup when the server answers 403.
// Firefox sends that origin only with POST requests (the page's analysis), not with the GET of
// the server's health check, which a refusing server still answers: a refusal shows in the
// page's error as much as in the server status.
import { parts } from "./i18n.js";

/** Whether this build runs in Firefox (build.mjs defines __BROWSER__). */
export const IS_FIREFOX = typeof __BROWSER__ !== "undefined" && __BROWSER__ === "firefox";

const FORBIDDEN = 403;

/** Whether the server refused this browser: its status check or the page's last request
 *  (either may be null) answered 403.
 *  @param {?{ok: boolean, error?: ?import("./message-types.js").Failure} | undefined} serverStatus  a ServerStatus
 *  @param {?{status: string, error?: ?import("./message-types.js").Failure} | undefined} pageState  a PageState */
export function refusedBrowser(serverStatus, pageState) {
  return serverStatus?.error?.status === FORBIDDEN || pageState?.error?.status === FORBIDDEN;
}

/** `unspin serve --allow-origin <origin>` for an extension whose base URL is `extensionUrl`
 *  (runtime.getURL("")). @param {string} extensionUrl */
export function allowOriginCommand(extensionUrl) {
  // eslint-disable-next-line unspin/no-ui-literals -- a command, typed as it is in every language
  return `unspin serve --allow-origin ${String(extensionUrl).replace(/\/+$/, "")}`;
}

/** Fill `element` with the command on Firefox; hide it elsewhere. @param {HTMLElement} element @param {string} extensionUrl */
export function showAllowOrigin(element, extensionUrl) {
  element.hidden = !IS_FIREFOX;
  if (!IS_FIREFOX) return;
  const code = document.createElement("code");
  code.className = "allow-origin-command";
  code.textContent = allowOriginCommand(extensionUrl);
  code.translate = false;
  element.replaceChildren(...parts("allow_origin_help", code));
}
