// Marks the reader dismissed ("Not spun" on the card) stay hidden for that wording on this site,
// across reloads: the wordings live in storage.local (shared/corrections.js writes them); this
// feature ("dismissals", features.js) reads them for the page's site and follows changes (a
// dismissal here or in another tab, an undo in the popup): the session draws the page's marks again.
import browser from "webextension-polyfill";
import { dismissedOn } from "../shared/corrections.js";
import { siteOf } from "../shared/sites.js";
import { wordingKey } from "../shared/wording.js";

/** @typedef {{hides(text: string): boolean}} Dismissals  hides: whether the reader dismissed this wording here */

/** @param {import("./features.js").FeatureContext} context @returns {Dismissals} */
export function init({ signal, settings, features }) {
  const site = siteOf(location.hostname);
  let hidden = dismissedOn(settings.dismissed, site);

  /** @param {Record<string, import("webextension-polyfill").Storage.StorageChange>} changes @param {string} area */
  function onStorageChanged(changes, area) {
    if (area !== "local" || !("dismissed" in changes)) return;
    const next = dismissedOn(/** @type {Record<string, string[]> | undefined} */ (changes.dismissed.newValue), site);
    const same = next.size === hidden.size && [...next].every((w) => hidden.has(w));
    hidden = next;
    if (!same) features.session?.refilter();
  }
  browser.storage.onChanged.addListener(onStorageChanged);
  signal.addEventListener("abort", () => browser.storage.onChanged.removeListener(onStorageChanged));

  return { hides: (text) => hidden.has(wordingKey(text)) };
}
