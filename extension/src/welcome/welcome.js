// The first-run page (opened on install; linked from the options page): what Unspin does, how to
// start the server (with a live check), the privacy promise, and the reader's consent to keep
// corrections (settings `feedback` and `feedbackUrl`; background/feedback.js obeys them). It also
// asks for the optional nativeMessaging permission, with which the browser host starts the server
// (background/connection.js; host-permission.js).
import browser from "webextension-polyfill";
import { showAllowOrigin } from "../shared/allow-origin.js";
import { requestServerStatus } from "../shared/messages.js";
import { getSettings, setSettings } from "../shared/settings.js";
import { $ } from "../shared/controls.js";
import { offerHostPermission } from "../shared/host-permission.js";

const CHECK_EVERY_MS = 3000;

async function checkServer() {
  const status = await requestServerStatus();
  const state = $("server-state");
  state.dataset.ok = String(status.ok);
  if (status.ok) state.textContent = `Server found at ${status.serverUrl} (model ${status.health.model?.name ?? "?"}).`;
  else if (status.error.kind === "down") state.textContent = `Server not found at ${status.serverUrl}: start it with one of the commands above.`;
  else state.textContent = `Server not usable at ${status.serverUrl}: ${status.error.message}`;
}

function showConsent({ feedback, feedbackUrl }) {
  $("feedback-consent").checked = feedback === true;
  $("feedback-url").checked = feedbackUrl === true;
  $("feedback-url").disabled = feedback !== true;
  $("feedback-state").textContent =
    feedback === true
      ? `Your corrections are kept on this computer${feedbackUrl === true ? ", with the page address" : ", without the page address"}.`
      : "Corrections are off: nothing is kept.";
}

async function main() {
  showAllowOrigin($("allow-origin"), browser.runtime.getURL(""));
  showConsent(await getSettings());
  $("feedback-consent").addEventListener("change", async () => {
    const changes = $("feedback-consent").checked ? { feedback: true } : { feedback: false, feedbackUrl: false };
    await setSettings(changes);
    showConsent(await getSettings());
  });
  $("feedback-url").addEventListener("change", async () => {
    await setSettings({ feedbackUrl: $("feedback-url").checked });
    showConsent(await getSettings());
  });
  offerHostPermission($("host-allow"), $("host-state"));
  $("server-check").addEventListener("click", checkServer);
  await checkServer();
  setInterval(checkServer, CHECK_EVERY_MS);
}

main();
