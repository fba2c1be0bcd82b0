// Where Unspin runs: the site of a page and the reader's per-site switch. Pure (unit tests:
// sites.test.js).
//
// A site is the page's registrable domain, from the Public Suffix List (tldts, pinned): news.
// example.com, www.example.com and example.com are one site, example.co.uk is one too, and
// github.io pages are each their own. Host names without one (an IP address, localhost) are a
// site by themselves.
//
// Two modes (settings.siteMode): "all" runs everywhere except settings.disabledSites; "opt-in"
// runs only on settings.enabledSites.
import { getDomain } from "tldts";

export const SITE_MODES = Object.freeze({ ALL: "all", OPT_IN: "opt-in" });

/** Whether `url` is a web page's address (http or https): the only kind Unspin sends on or links
 *  to. @param {unknown} url @returns {url is string} */
export function isWebAddress(url) {
  return typeof url === "string" && /^https?:\/\//.test(url);
}

/** @typedef {Pick<import("./settings.js").Settings, "siteMode" | "enabledSites" | "disabledSites">} SiteSettings */

/** The site of a host name (or of something typed: a URL, a host with a port). @param {unknown} input */
export function siteOf(input) {
  let host = String(input ?? "").trim().toLowerCase();
  if (!host) return "";
  try {
    host = new URL(host.includes("://") ? host : `http://${host}`).hostname;
  } catch {
    return "";
  }
  return getDomain(host, { allowPrivateDomains: true }) || host.replace(/^\[|\]$/g, "");
}

/** The list the per-site switch edits in this mode.
 *  @param {Pick<SiteSettings, "siteMode">} settings @returns {"enabledSites" | "disabledSites"} */
export function siteListKey(settings) {
  return settings.siteMode === SITE_MODES.OPT_IN ? "enabledSites" : "disabledSites";
}

/** Whether Unspin runs on pages of `hostname`. @param {SiteSettings} settings @param {string} hostname */
export function isSiteOn(settings, hostname) {
  const site = siteOf(hostname);
  const listed = (settings[siteListKey(settings)] || []).includes(site);
  return settings.siteMode === SITE_MODES.OPT_IN ? listed : !listed;
}

/** The storage change that switches Unspin on (or off) for the site of `hostname`.
 *  @param {SiteSettings} settings @param {string | undefined} hostname @param {boolean} on */
export function switchSite(settings, hostname, on) {
  const key = siteListKey(settings);
  const site = siteOf(hostname);
  const listed = settings.siteMode === SITE_MODES.OPT_IN ? on : !on;
  const list = (settings[key] || []).filter((s) => s !== site);
  return { [key]: listed ? [...list, site] : list };
}
