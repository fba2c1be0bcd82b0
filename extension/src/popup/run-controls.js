// The popup's "where and when" controls: the switch for this site (the registrable domain,
// shared/sites.js: "Disable on" every site by default, "Enable on" in opt-in mode), a pause for
// this tab (until the page reloads or the reader resumes) and, when Unspin analyses on demand,
// the "Analyse this page" button while the page waits for it (the analyze-page command does the
// same).
import { requestAnalyzePage, requestPause } from "../shared/messages.js";
import { STATUS } from "../shared/page-status.js";
import { getSettings, setSettings } from "../shared/settings.js";
import { isSiteOn, SITE_MODES, siteOf, switchSite } from "../shared/sites.js";
import { $ } from "../shared/controls.js";
import { t } from "../shared/i18n.js";

// The command and its default shortcut (manifest.json "commands").
const ANALYSE_COMMAND = "analyze-page";
const ANALYSE_SHORTCUT = "Alt+Shift+U";

/** @type {?number | undefined} */
let tabId = null;
let optIn = false;

/** The switch of this mode (the other row stays hidden). */
const siteSwitch = () => $(optIn ? "enable-site" : "disable-site");

/** @typedef {import("../shared/message-types.js").PageState} PageState */

/** Follow the page's state (called with every state the popup shows; null: no content script).
 *  @param {?PageState} state */
export function showRunControls(state) {
  const hostname = state?.hostname;
  for (const id of ["site", "enable-site-name"]) if (hostname) $(id).textContent = siteOf(hostname);
  siteSwitch().disabled = !hostname;
  $("pause-tab").disabled = !state || state.status === STATUS.DISABLED;
  $("pause-tab").checked = state?.status === STATUS.PAUSED;
  const button = $("analyze-page");
  if (state?.status !== STATUS.ON_DEMAND) {
    button?.remove();
    return;
  }
  if (button) return;
  const analyse = Object.assign(document.createElement("button"), { id: "analyze-page", type: "button", className: "primary" });
  analyse.textContent = t("popup_analyse");
  analyse.title = t("popup_analyse_title", ANALYSE_COMMAND, ANALYSE_SHORTCUT);
  analyse.addEventListener("click", () => requestAnalyzePage(/** @type {number} the popup's tab */ (tabId)));
  $("restored").before(analyse);
}

/** Wire the controls for the tab's page (state: its state when the popup opened).
 *  @param {?number | undefined} tab @param {import("../shared/settings.js").Settings} settings @param {?PageState} state */
export function initRunControls(tab, settings, state) {
  tabId = tab;
  optIn = settings.siteMode === SITE_MODES.OPT_IN;
  $("disable-row").hidden = optIn;
  $("enable-row").hidden = !optIn;
  const on = state?.hostname ? isSiteOn(settings, state.hostname) : true;
  siteSwitch().checked = optIn ? on : !on;
  siteSwitch().addEventListener("change", async () => {
    const turnOn = optIn ? siteSwitch().checked : !siteSwitch().checked;
    await setSettings(switchSite(await getSettings(), /** @type {PageState} the switch is disabled without one */ (state).hostname, turnOn));
  });
  $("pause-tab").addEventListener("change", () => requestPause(/** @type {number} the popup's tab */ (tabId), $("pause-tab").checked));
  showRunControls(state);
}
