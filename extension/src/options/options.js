// Options page: the server URL (loopback only) and the search address.
import { requestServerStatus } from "../shared/messages.js";
import { LOOPBACK_HOSTS, loopbackOrigin } from "../shared/loopback.js";
import { getSettings, setSettings } from "../shared/settings.js";

const $ = (id) => document.getElementById(id);

async function main() {
  const settings = await getSettings();
  $("server-url").value = settings.serverUrl;
  $("search-url").value = settings.searchUrl;

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const serverUrl = loopbackOrigin($("server-url").value);
    const searchUrl = $("search-url").value.trim();
    if (!serverUrl) {
      $("result").textContent = `Use an http address on ${LOOPBACK_HOSTS.join(" or ")}.`;
      return;
    }
    if (!/^https:\/\/.+%s/.test(searchUrl)) {
      $("result").textContent = "The search address must start with https:// and contain %s.";
      return;
    }
    await setSettings({ serverUrl, searchUrl });
    $("server-url").value = serverUrl;
    $("result").textContent = "Saved.";
  });

  $("test").addEventListener("click", async () => {
    $("result").textContent = "Testing…";
    const status = await requestServerStatus();
    $("result").textContent = status.ok
      ? `Connected: Unspin ${status.health.version}, model ${status.health.model?.name ?? "?"}`
      : `${status.error.message}. Start it with make serve (or unspin serve).`;
  });
}

main();
