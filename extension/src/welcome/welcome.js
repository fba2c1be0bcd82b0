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
import { localize, t } from "../shared/i18n.js";

localize();

const CHECK_EVERY_MS = 3000;

async function checkServer() {
  const status = await requestServerStatus();
  const state = $("server-state");
  state.dataset.ok = String(status.ok);
  if (status.ok) state.textContent = t("welcome_server_found", status.serverUrl, status.health.model?.name ?? "?");
  else if (status.error.kind === "down") state.textContent = t("welcome_server_not_found", status.serverUrl);
  else state.textContent = t("welcome_server_unusable", status.serverUrl, status.error.message);
}

/** @param {import("../shared/settings.js").Settings} settings */
function showConsent({ feedback, feedbackUrl }) {
  $("feedback-consent").checked = feedback === true;
  $("feedback-url").checked = feedbackUrl === true;
  $("feedback-url").disabled = feedback !== true;
  $("feedback-state").textContent = t(
    feedback !== true ? "welcome_feedback_off" : feedbackUrl === true ? "welcome_feedback_on_with_address" : "welcome_feedback_on_without_address",
  );
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
