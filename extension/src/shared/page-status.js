// A page's status (PageState.status, messages.js): its values, and what each says to the reader,
// in the popup and in the toolbar button's title (the one place for these words; the words
// themselves are messages in _locales, shared/i18n.js). Pure: unit tests in page-status.test.js.
import { plural, t } from "./i18n.js";
import { lookOf } from "./verdicts.js";

/** The statuses a page reports (the content script; gate.js for a page Unspin must not work in). */
export const STATUS = Object.freeze({
  STARTING: "starting",
  LAUNCHING: "launching", // no server answered: the browser host is starting it
  ANALYSING: "analysing",
  BUSY: "busy", // the server is busy: asked again at retryAt
  DONE: "done",
  NO_ARTICLE: "no-article",
  TOO_LONG: "too-long",
  DISABLED: "disabled", // off on this site
  PAUSED: "paused", // paused in this tab
  ON_DEMAND: "on-demand", // waiting for the reader to ask
  ERROR: "error",
});

/** @typedef {typeof STATUS[keyof typeof STATUS]} Status */

/** The message of each status. */
/** @type {Partial<Record<Status, string>>} */
const STATUS_TEXT = {
  [STATUS.STARTING]: "status_starting",
  [STATUS.LAUNCHING]: "status_launching",
  [STATUS.ANALYSING]: "status_analysing",
  [STATUS.NO_ARTICLE]: "status_no_article",
  [STATUS.TOO_LONG]: "status_too_long",
  [STATUS.DISABLED]: "status_disabled",
  [STATUS.PAUSED]: "status_paused",
  [STATUS.ON_DEMAND]: "status_on_demand",
  [STATUS.ERROR]: "status_error",
};

/** @typedef {import("./message-types.js").PageState} PageState */

/** Whole seconds until a busy server is asked again (at least 1 while busy).
 *  @param {Pick<PageState, "retryAt">} state @param {number} [now] */
export function retrySeconds(state, now = Date.now()) {
  return Math.max(1, Math.ceil(((state.retryAt ?? now) - now) / 1000));
}

/** The popup's headline for a state without figures (the status itself, for an unknown one).
 *  @param {Pick<PageState, "status" | "retryAt">} state @param {number} [now] */
export function statusText(state, now = Date.now()) {
  if (state.status === STATUS.BUSY) return t("status_busy", retrySeconds(state, now));
  const key = STATUS_TEXT[state.status];
  return key ? t(key) : state.status;
}

/** The toolbar button's title for the tab.
 *  @param {Pick<PageState, "status" | "retryAt" | "summary">} state @param {number} [now] */
export function buttonTitle(state, now = Date.now()) {
  const s = state.summary;
  const look = state.status === STATUS.DONE && s ? lookOf(s.verdict) : null; // the title by the server's verdict
  if (s && look) return t(look.title, plural("count_spans", s.spans));
  if (state.status === STATUS.ERROR) return t("button_title_error");
  if (state.status === STATUS.BUSY) return t("button_title_busy", retrySeconds(state, now));
  if (state.status === STATUS.DISABLED) return t("button_title_disabled");
  if (state.status === STATUS.TOO_LONG) return t("button_title_too_long");
  return t("ext_name");
}
