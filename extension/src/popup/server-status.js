// The popup's server section: whether the server runs (and which model), is starting, refuses this
// browser (Firefox: how to allow it) or cannot be reached, and how to start it.
import browser from "webextension-polyfill";
import { refusedBrowser, showAllowOrigin } from "../shared/allow-origin.js";
import { $ } from "../shared/controls.js";
import { parts, t } from "../shared/i18n.js";
import { STATUS } from "../shared/page-status.js";
import { START_COMMANDS } from "../shared/settings.js";

/** The server's status (null: not known yet), with what the page's last request met (state).
 *  @param {?import("../shared/message-types.js").ServerStatus} status @param {?import("../shared/message-types.js").PageState} state */
export function showServer(status, state) {
  if (!status) return;
  const refused = refusedBrowser(status, state);
  const launching = !status.ok && state?.status === STATUS.LAUNCHING; // the browser host is starting it
  $("server").dataset.ok = launching ? "starting" : String(status.ok && !refused); // starting: not an error
  $("server-help").hidden = (status.ok && !refused) || launching;
  $("start-help").hidden = refused; // it runs: it needs a restart with this browser allowed
  if (refused) {
    $("server-status").textContent = t("server_refused", status.serverUrl);
  } else if (launching) {
    $("server-status").textContent = t("server_starting", status.serverUrl);
  } else if (status.ok) {
    const model = status.health.model || {};
    $("server-status").textContent = t("server_running", status.serverUrl, `${model.name || "?"} ${model.version || ""}`.trim());
  } else {
    $("server-status").textContent =
      status.error.kind === "down" ? t("server_unreachable", status.serverUrl) : t("server_problem", status.error.message);
  }
  // Firefox: the server refuses this install's origin until it is allowed.
  if (refused) showAllowOrigin($("allow-origin-help"), browser.runtime.getURL(""));
  else $("allow-origin-help").hidden = true;
}

/** How to start the server, from the one list of start commands (settings.js: the one from the
 *  Unspin folder, then the one once installed). */
export function showStartCommands() {
  const [fromFolder, installed] = START_COMMANDS.map((command) =>
    Object.assign(document.createElement("code"), { textContent: command, translate: false }),
  );
  fromFolder.id = "start-command";
  $("start-help").replaceChildren(...parts("popup_start_help", fromFolder, installed));
}
