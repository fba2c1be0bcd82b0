// The hovercard's actions on a mark: "Not spun" (the mark goes, and stays gone for that wording
// on this site), "Spun — restore as …" (confirm a suggestion or type the original), "Find the
// original" (a web search for the article's source, background/find-original.js), and "Never
// flag" (the wording joins the allow-list on every site, after a confirmation). With the reader's
// consent, the first two send a correction to the server's feedback store (background/feedback.js
// decides). An action counts only when the card is ready (card-guard.js): a click the page
// steered there is ignored, and says so. Text goes in with textContent only.
import { dismiss, neverFlag } from "../shared/corrections.js";
import { requestFindOriginal, sendCorrection } from "../shared/messages.js";
import { searchNote } from "../shared/original.js";
import { appeared, appearedAt } from "./card-guard.js";
import { el } from "./dom.js";
import { quote, t } from "../shared/i18n.js";

const MAX_ORIGINAL_CHARS = 200; // the server's limit for `original`

/** What became of a correction, in words. @param {import("../shared/message-types.js").CorrectionResult} result */
function sentNote(result) {
  if (result?.sent) return t("actions_sent");
  if (result?.reason === "no-consent") return t("actions_not_sent_no_consent");
  return t("actions_not_sent", result?.message || t("actions_no_answer"));
}

/** @typedef {HTMLButtonElement | HTMLInputElement} Control  An action of the card (a button, the typed original). */

/** @param {string} text @param {"button"|"submit"} [type] */
function action(text, type = "button") {
  const button = el("button", "unspin-action", text);
  button.type = type;
  return button;
}

/** @typedef {import("./marks.js").Mark} Mark */
/** @typedef {import("../shared/message-types.js").Correction} Correction */

/** @param {Mark} mark @param {Correction["label"]} label @param {?string} [original] @returns {Correction} */
function correctionOf(mark, label, original = null) {
  const { span, record } = mark;
  return { paragraph: record.text, start: span.start, end: span.end, label, original };
}

/** Send a correction; the answer as a note (never throws: the card must stay usable).
 *  @param {Mark} mark @param {Correction["label"]} label @param {?string} original */
async function send(mark, label, original) {
  try {
    return sentNote(await sendCorrection(correctionOf(mark, label, original)));
  } catch (error) {
    return sentNote({ sent: false, reason: "failed", message: /** @type {Error} */ (error).message });
  }
}

/**
 * Fill `container` with the actions for `mark` (container: an element of the card).
 * @param {Element} container @param {Mark} mark
 * @param {import("./card-guard.js").Readiness} guard  card-guard.js readiness of the card
 * @returns {Control[]} the controls, in tab order (disabled ones are skipped)
 */
export function renderActions(container, mark, guard) {
  const { span } = mark;
  const status = el("div", "unspin-status");
  status.setAttribute("role", "status");
  const say = (/** @type {string} */ text) => (status.textContent = text);
  /** `handler` for an event the reader made on `control` of a ready card; any other is ignored,
   *  and said so. */
  /** @param {HTMLElement} control @param {(event: Event) => unknown} handler */
  const when = (control, handler) => (/** @type {Event} */ event) => {
    if (event.isTrusted && guard.ready(appearedAt(control))) return handler(event);
    event.preventDefault();
    say(t("actions_ignored"));
  };

  const notSpun = action(t("actions_not_spun"));
  notSpun.setAttribute("aria-label", t("actions_not_spun_label", quote(span.text)));
  notSpun.addEventListener("click", when(notSpun, async () => {
    await send(mark, "not_spun", null);
    await dismiss(location.hostname, span.text); // the mark goes (dismissals.js)
  }));

  const confirm = async (/** @type {string} */ original) => {
    say(t("actions_kept", quote(original), await send(mark, "spun", original)));
  };
  const restore = (span.suggestions || []).slice(0, 3).map(({ text }) => {
    const button = action(t("actions_restore_as", quote(text)));
    button.addEventListener("click", when(button, () => confirm(text)));
    return button;
  });

  const form = el("form", "unspin-typed");
  const input = el("input");
  input.type = "text";
  input.maxLength = MAX_ORIGINAL_CHARS;
  input.placeholder = t("actions_type_placeholder");
  input.setAttribute("aria-label", t("actions_type_label", quote(span.text)));
  const typed = action(t("actions_restore_typed"), "submit");
  form.append(input, typed);
  form.addEventListener("submit", when(form, (event) => {
    event.preventDefault();
    const original = input.value.trim();
    if (original) confirm(original);
    else {
      say(t("actions_type_first"));
      input.focus();
    }
  }));

  // "Never flag" acts on every site, so it asks first; the confirmation is another button, which
  // itself waits READY_MS after it appears (a double click does not reach it).
  const never = action(t("actions_never_flag", quote(span.text)));
  const sure = action(t("actions_never_flag_sure", quote(span.text)));
  sure.hidden = sure.disabled = true;
  never.addEventListener("click", when(never, () => {
    sure.hidden = sure.disabled = false;
    appeared(sure, guard);
    say(t("actions_never_flag_ask", quote(span.text)));
    sure.focus();
  }));
  sure.addEventListener("click", when(sure, async () => {
    sure.hidden = sure.disabled = true;
    say(t("actions_never_flag_done", quote(span.text)));
    await neverFlag(span.text);
  }));

  // Search the web for the article's original (background/find-original.js): only on this click.
  const find = action(t("find_original"));
  find.title = t("find_original_title");
  find.addEventListener("click", when(find, async () => say(searchNote(await requestFindOriginal().catch(() => null)))));

  container.replaceChildren(notSpun, ...restore, form, find, never, sure, status);
  return [notSpun, ...restore, input, typed, find, never, sure];
}
