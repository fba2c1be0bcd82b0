// The hovercard's actions on a mark: "Not spun" (the mark goes, and stays gone for that wording
// on this site), "Spun — restore as …" (confirm a suggestion or type the original), and "Never
// flag" (the wording joins the allow-list). With the reader's consent, the first two send a
// correction to the server's feedback store (background/feedback.js decides). Text goes in with
// textContent only.
import { dismiss, neverFlag } from "../shared/corrections.js";
import { sendCorrection } from "../shared/messages.js";
import { el } from "./dom.js";

const MAX_ORIGINAL_CHARS = 200; // the server's limit for `original`

function quoted(text) {
  return `“${text}”`;
}

/** What became of a correction, in words. @param {import("../shared/messages.js").CorrectionResult} result */
function sentNote(result) {
  if (result?.sent) return "Sent to the feedback store of your Unspin server.";
  if (result?.reason === "no-consent") return "Nothing was sent (corrections are off; see Unspin's options).";
  return `Not sent: ${result?.message || "the extension did not answer"}.`;
}

function action(text, type = "button") {
  const button = el("button", "unspin-action", text);
  button.type = type;
  return button;
}

function correctionOf(mark, label, original = null) {
  const { span, record } = mark;
  return { paragraph: record.text, start: span.start, end: span.end, label, original };
}

/** Send a correction; the answer as a note (never throws: the card must stay usable). */
async function send(mark, label, original) {
  try {
    return sentNote(await sendCorrection(correctionOf(mark, label, original)));
  } catch (error) {
    return sentNote({ sent: false, reason: "failed", message: error.message });
  }
}

/**
 * Fill `container` with the actions for `mark` (container: an element of the card).
 * @returns {HTMLElement[]} the controls, in tab order
 */
export function renderActions(container, mark) {
  const { span } = mark;
  const status = el("div", "unspin-status");
  status.setAttribute("role", "status");
  const say = (text) => (status.textContent = text);

  const notSpun = action("Not spun");
  notSpun.setAttribute("aria-label", `Not spun: stop marking ${quoted(span.text)} on this site`);
  notSpun.addEventListener("click", async () => {
    await send(mark, "not_spun", null);
    await dismiss(location.hostname, span.text); // the mark goes (dismissals.js)
  });

  const confirm = async (original) => {
    say(`Kept as spun, originally ${quoted(original)}. ${await send(mark, "spun", original)}`);
  };
  const restore = (span.suggestions || []).slice(0, 3).map(({ text }) => {
    const button = action(`Spun — restore as ${quoted(text)}`);
    button.addEventListener("click", () => confirm(text));
    return button;
  });

  const form = el("form", "unspin-typed");
  const input = el("input");
  input.type = "text";
  input.maxLength = MAX_ORIGINAL_CHARS;
  input.placeholder = "or type the original";
  input.setAttribute("aria-label", `The original wording of ${quoted(span.text)}`);
  const typed = action("Spun — restore as typed", "submit");
  form.append(input, typed);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const original = input.value.trim();
    if (original) confirm(original);
    else {
      say("Type the original wording first.");
      input.focus();
    }
  });

  const never = action(`Never flag ${quoted(span.text)}`);
  never.addEventListener("click", async () => {
    say(`${quoted(span.text)} joins your allow-list (Unspin's options); this page is checked again.`);
    await neverFlag(span.text);
  });

  container.replaceChildren(notSpun, ...restore, form, never, status);
  return [notSpun, ...restore, input, typed, never];
}
