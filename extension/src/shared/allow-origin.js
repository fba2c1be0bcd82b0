// Firefox gives each install of the extension its own origin (moz-extension://<uuid>), which the
// server refuses unless started with --allow-origin (Chromium's fixed id is always allowed). The
// command with this install's own origin, shown on the first-run page, the options page and in
// the popup when the server answers 403.

/** Whether this build runs in Firefox (build.mjs defines __BROWSER__). */
export const IS_FIREFOX = typeof __BROWSER__ !== "undefined" && __BROWSER__ === "firefox";

/** `unspin serve --allow-origin <origin>` for an extension whose base URL is `extensionUrl`
 *  (runtime.getURL("")). */
export function allowOriginCommand(extensionUrl) {
  return `unspin serve --allow-origin ${String(extensionUrl).replace(/\/+$/, "")}`;
}

/** Fill `element` with the command on Firefox; hide it elsewhere. */
export function showAllowOrigin(element, extensionUrl) {
  element.hidden = !IS_FIREFOX;
  if (!IS_FIREFOX) return;
  const code = document.createElement("code");
  code.className = "allow-origin-command";
  code.textContent = allowOriginCommand(extensionUrl);
  element.replaceChildren("In Firefox, start the server with this add-on's own address allowed: ", code);
}
