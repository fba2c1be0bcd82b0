// The first-run page (welcome.html): opened once, when the extension is installed (not on
// updates or browser restarts). It explains what Unspin does, how to start the server, the
// privacy promise, and asks for consent to keep corrections.
import browser from "webextension-polyfill";

export const WELCOME_PAGE = "welcome.html";

/** Open the first-run page on install. @param {import("webextension-polyfill").Runtime.OnInstalledDetailsType} details */
export function onInstalled({ reason }) {
  if (reason !== "install") return null;
  return browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PAGE) });
}
