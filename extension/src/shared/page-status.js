// A page's status (PageState.status, messages.js): its values, and what each says to the reader,
// in the popup and in the toolbar button's title (the one place for these words). Pure: unit
// tests in page-status.test.js.

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

const STATUS_TEXT = {
  [STATUS.STARTING]: "Checking this page…",
  [STATUS.LAUNCHING]: "Starting Unspin…",
  [STATUS.ANALYSING]: "Unspin is reading this article…",
  [STATUS.NO_ARTICLE]: "No article found on this page",
  [STATUS.TOO_LONG]: "This article is too long to analyse",
  [STATUS.DISABLED]: "Unspin is off on this site",
  [STATUS.PAUSED]: "Unspin is paused in this tab",
  [STATUS.ON_DEMAND]: "Unspin analyses this page when you ask",
  [STATUS.ERROR]: "Could not analyse this page",
};

/** Whole seconds until a busy server is asked again (at least 1 while busy). */
export function retrySeconds(state, now = Date.now()) {
  return Math.max(1, Math.ceil(((state.retryAt ?? now) - now) / 1000));
}

/** The popup's headline for a state without figures (the status itself, for an unknown one). */
export function statusText(state, now = Date.now()) {
  if (state.status === STATUS.BUSY) return `Server busy — retrying in ${retrySeconds(state, now)} s`;
  return STATUS_TEXT[state.status] || state.status;
}

/** The toolbar button's title for the tab. */
export function buttonTitle(state, now = Date.now()) {
  const s = state.summary;
  if (state.status === STATUS.DONE && s) return `Unspin: ${s.verdict} (${s.spans} spans)`;
  if (state.status === STATUS.ERROR) return "Unspin: the server is not reachable (open for details)";
  if (state.status === STATUS.BUSY) return `Unspin: ${statusText(state, now).toLowerCase()}`;
  if (state.status === STATUS.DISABLED) return "Unspin: off on this site";
  if (state.status === STATUS.TOO_LONG) return "Unspin: the article is too long to analyse";
  return "Unspin";
}
