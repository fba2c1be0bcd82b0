// Marks the reader dismissed ("Not spun" on the card) stay hidden for that wording on this site,
// across reloads: the wordings live in storage.local (shared/corrections.js writes them); this
// feature reads them for the page's site and follows changes (a dismissal here or in another tab,
// an undo in the popup), calling onChange so the page's marks are drawn again.
import browser from "webextension-polyfill";
import { dismissedOn } from "../shared/corrections.js";
import { siteOf } from "../shared/sites.js";
import { wordingKey } from "../shared/wording.js";

/**
 * @param {object} dismissed  the stored setting (site -> wordings) when the page started
 * @param {() => void} onChange
 * @returns {{hides(text: string): boolean}}
 */
export function init(signal, dismissed, onChange) {
  const site = siteOf(location.hostname);
  let hidden = dismissedOn(dismissed, site);

  function onStorageChanged(changes, area) {
    if (area !== "local" || !("dismissed" in changes)) return;
    const next = dismissedOn(changes.dismissed.newValue, site);
    const same = next.size === hidden.size && [...next].every((w) => hidden.has(w));
    hidden = next;
    if (!same) onChange();
  }
  browser.storage.onChanged.addListener(onStorageChanged);
  signal.addEventListener("abort", () => browser.storage.onChanged.removeListener(onStorageChanged));

  return { hides: (text) => hidden.has(wordingKey(text)) };
}
