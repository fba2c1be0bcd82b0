// The page's state for the badge and the popup (PageState, shared/messages.js): its status, what
// was analysed, the server's summary and what the reader dismissed. Pure.
import { STATUS } from "../shared/page-status.js";

/**
 * @param {{records: import("./marks.js").PageParagraph[], doc: ?import("./page-port.js").PageDocument,
 *   title: string, summary: ?import("../shared/summary.js").Summary, timing: object, hides(text: string): boolean}} page
 *   summary: the server's, for the answer whose marks are shown; timing: the content script's
 *   own costs (ms)
 * @returns {import("../shared/message-types.js").PageState}
 */
export function pageState({ records, doc, title, summary, timing, hides }) {
  const analysed = records.filter((r) => r.result);
  const skipped = doc?.answer ? records.length - analysed.length : 0; // over the page's text budget
  /** @type {import("../shared/page-status.js").Status} */
  let status = STATUS.DONE;
  if (!records.length) status = STATUS.NO_ARTICLE;
  else if (doc?.error) status = STATUS.ERROR;
  else if (!doc?.answer) status = (doc?.retryAt ?? 0) > Date.now() ? STATUS.BUSY : doc?.launching ? STATUS.LAUNCHING : STATUS.ANALYSING;
  else if (!analysed.length && skipped) status = STATUS.TOO_LONG;
  return {
    status,
    error: doc?.error ?? null,
    title,
    paragraphs: records.length,
    analysed: analysed.length,
    skipped,
    summary: analysed.length ? summary : null, // the server's, for what it analysed
    retryAt: status === STATUS.BUSY ? doc?.retryAt : null, // BUSY: there is a document
    dismissed: analysed.flatMap((r) => /** @type {import("../shared/message-types.js").ParagraphResult} */ (r.result).spans.filter((span) => hides(span.text)).map((span) => span.text)),
    timing: { ...timing },
  };
}
