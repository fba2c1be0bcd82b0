// The likely source of this page from the reader's scans (the local server's POST /api/v1/source,
// through the background), asked once per page, when the first card opens: the card shows it
// first (card.js). The page's address goes only to the Unspin server on this computer.
import { requestPageSource } from "../shared/messages.js";

/** @type {?Promise<void>} */
let asked = null;
/** @type {?import("../shared/message-types.js").PageSource} */
let known = null;

/** Ask for this page's source unless asked already; `onKnown()` when one comes. @param {() => void} onKnown */
export function askSource(onKnown) {
  asked ??= requestPageSource(location.href)
    .then((source) => {
      known = source ?? null;
      if (known) onKnown();
    })
    .catch(() => {});
}

/** The page's likely source, once known (null: none, or not known yet). */
export function knownSource() {
  return known;
}
