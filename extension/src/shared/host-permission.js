// The button that asks for the optional nativeMessaging permission (first-run and options pages):
// with it the browser host (`unspin browser-host install`) starts the server when none answers
// (background/connection.js). The browser asks the reader; the button says what was decided.
import browser from "webextension-polyfill";
import { t } from "./i18n.js";

/** @type {import("webextension-polyfill").Permissions.Permissions} */
const PERMISSION = { permissions: ["nativeMessaging"] };
const HOST_INSTALL = "unspin browser-host install"; // the command that installs the browser host

/** Whether the reader allowed Unspin to start its server (the host may still be missing). */
export function mayStart() {
  return browser.permissions.contains(PERMISSION).catch(() => false);
}

/** Wire `button` to ask for the permission and `state` (a live region) to say whether it is held.
 *  @param {HTMLElement} button @param {HTMLElement} state */
export async function offerHostPermission(button, state) {
  const show = (/** @type {boolean} */ held) => {
    button.hidden = held;
    state.textContent = held ? t("host_allowed", HOST_INSTALL) : t("host_not_allowed");
  };
  show(await mayStart());
  button.addEventListener("click", async () => {
    // Asked from the click itself: browsers ask only in answer to a gesture.
    const granted = await browser.permissions.request(PERMISSION).catch(() => false);
    show(granted);
  });
}
