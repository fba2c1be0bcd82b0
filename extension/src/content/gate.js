// When Unspin works in this page: the reader's site switch (shared/sites.js), a pause for this
// tab (until the page reloads or the reader resumes: marks removed, nothing sent) and, when the
// reader chose to analyse on demand, their request for this page (the popup's "Analyse this
// page" or the analyze-page command). Per frame, in memory: a reload forgets pause and request.
import { STATUS } from "../shared/page-status.js";
import { ANALYSE_ON } from "../shared/settings.js";
import { isSiteOn } from "../shared/sites.js";

/** The settings that decide it (a change of one of them re-checks the page). */
export const GATE_SETTINGS = ["siteMode", "disabledSites", "enabledSites", "analyseOn"];

let paused = false;
let requested = false;

/**
 * Why Unspin must not work in this page now, as the status to report (STATUS.DISABLED,
 * PAUSED, ON_DEMAND), or null when it works. `running`: it works already (a page analysed before the
 * reader switched to on-demand keeps its marks).
 * @param {import("../shared/settings.js").Settings} settings @param {boolean} running
 * @returns {?import("../shared/page-status.js").Status}
 */
export function idleStatus(settings, running) {
  if (!isSiteOn(settings, location.hostname)) return STATUS.DISABLED;
  if (paused) return STATUS.PAUSED;
  if (settings.analyseOn === ANALYSE_ON.DEMAND && !requested && !running) return STATUS.ON_DEMAND;
  return null;
}

/** Pause (or resume) Unspin in this page until it reloads. @param {boolean} on */
export function setPaused(on) {
  paused = !!on;
}

/** The reader asked to analyse this page (on-demand mode); it also resumes a paused tab. */
export function request() {
  requested = true;
  paused = false;
}
