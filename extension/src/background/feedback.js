// The reader's corrections to the server's feedback store (POST /api/v1/feedback), only with the
// reader's consent (the first-run page sets `feedback`; `feedbackUrl` adds the page address).
// Without consent nothing is sent. The store is the server's SQLite file on this computer.
import { getSettings } from "../shared/settings.js";
import { isWebAddress } from "../shared/sites.js";
import * as api from "./api.js";
import { connect } from "./connection.js";
import { t } from "../shared/i18n.js";

const LABELS = ["spun", "not_spun"];

/** The correction's fields when they have the documented shape (shared/messages.js), else null.
 *  @param {import("../shared/message-types.js").Unchecked} correction  what a content script sent
 *  @returns {?{paragraph: string, start: number, end: number, label: string, original: ?string, url?: ?string}} */
function checked(correction) {
  const { paragraph, start, end, label, original } = correction || {};
  if (typeof paragraph !== "string" || !LABELS.includes(label)) return null;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > paragraph.length) return null;
  if (original != null && (typeof original !== "string" || label !== "spun" || !original.trim())) return null;
  return { paragraph, start, end, label, original: original == null ? null : original.trim() };
}

/** @param {string | undefined} url @returns {?string} */
function pageAddress(url) {
  return isWebAddress(url) ? url : null;
}

/**
 * Send one correction from a content script (sender: its runtime.MessageSender).
 * @param {unknown} correction  as the content script sent it (checked here)
 * @param {import("webextension-polyfill").Runtime.MessageSender} sender
 * @returns {Promise<import("../shared/message-types.js").CorrectionResult>}
 */
export async function sendCorrection(correction, sender) {
  const settings = await getSettings();
  if (settings.feedback !== true) return { sent: false, reason: "no-consent" };
  const body = checked(correction);
  if (!body) return { sent: false, reason: "failed", message: t("error_correction_shape") };
  body.url = settings.feedbackUrl === true ? pageAddress(sender.tab?.url ?? sender.url) : null;
  try {
    const { serverUrl, secret } = await connect();
    const { id } = await api.feedback(serverUrl, secret, body);
    return { sent: true, id };
  } catch (error) {
    return { sent: false, reason: "failed", message: /** @type {Error} */ (error).message };
  }
}
