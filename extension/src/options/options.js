// Options page: the server URL (loopback only), its secret (pasted, when the browser host does not
// hand it over) and the permission to start the server.
import browser from "webextension-polyfill";
import { showAllowOrigin } from "../shared/allow-origin.js";
import { requestServerStatus } from "../shared/messages.js";
import { LOOPBACK_HOSTS, loopbackOrigin } from "../shared/loopback.js";
import { DEFAULTS, getConnection, setSecret, setSettings, START_COMMANDS } from "../shared/settings.js";
import { initAllowList } from "./allow-list.js";
import { initRunOptions } from "./run-options.js";
import { initSiteLists } from "./site-lists.js";
import { $ } from "../shared/controls.js";
import { offerHostPermission } from "../shared/host-permission.js";
import { localize, orList, t } from "../shared/i18n.js";

localize();

async function main() {
  const { serverUrl: saved, secret } = await getConnection();
  $("server-url").value = saved;
  $("server-url").placeholder = DEFAULTS.serverUrl;
  $("secret").value = secret;
  offerHostPermission($("host-allow"), $("host-state"));

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const serverUrl = loopbackOrigin($("server-url").value);
    if (!serverUrl) {
      $("result").textContent = t("options_loopback_only", orList([...LOOPBACK_HOSTS]));
      return;
    }
    await Promise.all([setSettings({ serverUrl }), setSecret($("secret").value.trim())]);
    $("server-url").value = serverUrl;
    $("result").textContent = t("options_saved");
  });

  $("test").addEventListener("click", async () => {
    $("result").textContent = t("options_testing");
    const status = await requestServerStatus();
    $("result").textContent = status.ok
      ? t("options_connected", status.health.version, status.health.model?.name ?? "?")
      : t("options_not_connected", status.error.message, ...START_COMMANDS);
  });
}

main();
initSiteLists().then(initRunOptions);
initAllowList();
showAllowOrigin($("allow-origin"), browser.runtime.getURL(""));
