// The popup's count of the marks the reader dismissed ("Not spun") on this page, and Undo, which
// brings them back (for their wordings on this site).
import { undismiss } from "../shared/corrections.js";
import { $ } from "../shared/controls.js";
import { plural } from "../shared/i18n.js";

/** @type {?import("../shared/message-types.js").PageState} */
let current = null; // the page state shown

/** Show how many marks of the page are dismissed (call on each state change).
 *  @param {?import("../shared/message-types.js").PageState} state */
export function showDismissed(state) {
  current = state;
  const count = state?.dismissed?.length || 0;
  $("dismissed-box").hidden = !count;
  $("dismissed-count").textContent = plural("popup_dismissed", count);
}

/** Wire Undo. */
export function initDismissed() {
  $("undo-dismissed").addEventListener("click", () => {
    if (current?.dismissed?.length) undismiss(current.hostname, current.dismissed);
  });
}
