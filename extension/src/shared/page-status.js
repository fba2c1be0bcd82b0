// What a page's state (PageState, messages.js) says to the reader: the one place for these
// words, in the popup and in the toolbar button's title. Pure: unit tests in page-status.test.js.

const STATUS_TEXT = {
  starting: "Checking this page…",
  analysing: "Analysing…",
  "no-article": "No article found on this page",
  "too-long": "This article is too long to analyse",
  disabled: "Unspin is off on this site",
  paused: "Unspin is paused in this tab",
  "on-demand": "Unspin analyses this page when you ask",
  error: "Could not analyse this page",
};

/** Whole seconds until a busy server is asked again (at least 1 while busy). */
export function retrySeconds(state, now = Date.now()) {
  return Math.max(1, Math.ceil(((state.retryAt ?? now) - now) / 1000));
}

/** The popup's headline for a state without figures (the status itself, for an unknown one). */
export function statusText(state, now = Date.now()) {
  if (state.status === "busy") return `Server busy — retrying in ${retrySeconds(state, now)} s`;
  return STATUS_TEXT[state.status] || state.status;
}

/** The toolbar button's title for the tab. */
export function buttonTitle(state, now = Date.now()) {
  const s = state.summary;
  if (state.status === "done" && s) return `Unspin: ${s.verdict} (${s.spans} spans)`;
  if (state.status === "error") return "Unspin: the server is not reachable (open for details)";
  if (state.status === "busy") return `Unspin: ${statusText(state, now).toLowerCase()}`;
  if (state.status === "disabled") return "Unspin: off on this site";
  if (state.status === "too-long") return "Unspin: the article is too long to analyse";
  return "Unspin";
}
