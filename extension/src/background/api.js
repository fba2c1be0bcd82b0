// Client for the local server's HTTP API v1 (issue 2). Only the background script talks to it.
// One analyze call is one article: the server decides on the paragraphs of a call together.
// An analyze call can be aborted (a newer version of the tab's document): the server sees the
// disconnect and drops the work. A busy server answers 503 with Retry-After, one over its token
// limit 413 with its count: both come back as a ServerError the caller can act on (main.js).
// Every call carries the per-user secret (Authorization: Bearer), and only after the server
// proved it knows it (`verify`: its HMAC of a fresh nonce, asked without the secret), so a
// program squatting the port gets neither the secret nor any page text (trust.js; one request
// and its errors: http.js).
import { documentTokens } from "../shared/document.js";
import { readSummary } from "../shared/summary.js";
import { isWebAddress } from "../shared/sites.js";
import { t } from "../shared/i18n.js";
import { HEALTH_TIMEOUT_MS, request, ServerError, streamError } from "./http.js";
import { serverOrigin, verify, withSecret } from "./trust.js";
import { articleBody, wellFormed } from "./api-body.js";

export { retryAfterSeconds, ServerError } from "./http.js";
export { proof, verify } from "./trust.js";

/** @typedef {import("../shared/message-types.js").PlacedSpan} PlacedSpan */
/** @typedef {{results: (?import("../shared/message-types.js").ParagraphResult)[], summary: import("../shared/summary.js").Summary}} Answer */
/** @typedef {?string | undefined} Secret  none: nothing is sent (trust.js withSecret) */

// A whole article goes in one request (up to 200,000 characters): the wait grows with its length.
const ANALYZE_TIMEOUT_MS = 60000;
const ANALYZE_TIMEOUT_MS_PER_CHAR = 1;

/** What went to the server since start (for the DevTools console and the browser tests):
 *  analyze requests, their paragraphs, characters and estimated tokens; how many were aborted
 *  (superseded), answered busy (503) or too large (413); requests in flight now and at most. */
export const sent = { requests: 0, paragraphs: 0, chars: 0, tokens: 0, aborted: 0, busy: 0, tooLarge: 0, inFlight: 0, peakInFlight: 0 };

/** The server's status with the secret (verified first).
 *  @param {string} serverUrl @param {Secret} secret @returns {Promise<import("./http.js").Json>} */
export async function health(serverUrl, secret) {
  await verify(serverUrl, secret);
  return request(`${serverOrigin(serverUrl)}/api/v1/health`, { method: "GET", headers: withSecret(secret) }, HEALTH_TIMEOUT_MS);
}

/**
 * Analyse the paragraphs of one article (within the tab's budget: see shared/document.js), marks
 * first: the answer comes without suggestions (each span's `suggestions` null: `suggest` asks for
 * them), streamed, the paragraphs of `first` (indices: what the reader sees) read first, and
 * `onMarks(placed)` called with the provisional marks of each part read (PlacedSpan[]), until the
 * whole article's answer. Never flags a wording of `ignore` (the reader's allow-list); `abort`:
 * an AbortSignal that drops the request (the server sees the disconnect); `site`: see articleBody.
 * Returns {results: [{score, spans}] in the same order, summary} (the server's Summary of the
 * article: its figures and verdict, see shared/summary.js). Throws ServerError.
 * @param {string} serverUrl @param {Secret} secret @param {string[]} paragraphs @param {?number} threshold
 * @param {string[]} [ignore] @param {?AbortSignal} [abort] @param {string} [site] @param {number[]} [first]
 * @param {(placed: PlacedSpan[]) => void} [onMarks] @returns {Promise<Answer>}
 */
export async function analyze(serverUrl, secret, paragraphs, threshold, ignore = [], abort = null, site = "", first = [], onMarks = () => {}) {
  const body = { ...articleBody(paragraphs, threshold, ignore, site), suggestions: false, stream: true, first };
  const chars = paragraphs.reduce((sum, text) => sum + text.length, 0);
  const origin = serverOrigin(serverUrl);
  sent.requests += 1;
  sent.paragraphs += paragraphs.length;
  sent.chars += chars;
  sent.tokens += documentTokens(paragraphs);
  sent.inFlight += 1;
  sent.peakInFlight = Math.max(sent.peakInFlight, sent.inFlight);
  /** @type {import("./http.js").Json} the answer event's */
  let answer;
  const onEvent = (/** @type {import("./http.js").Json} */ event) => {
    if (event?.event === "marks" && Array.isArray(event.spans)) onMarks(event.spans);
    else if (event?.event === "answer") answer = event.answer;
    else if (event?.event === "error") throw streamError(event.error);
  };
  try {
    await request(
      `${origin}/api/v1/analyze`,
      { method: "POST", headers: withSecret(secret, { "Content-Type": "application/json" }), body: JSON.stringify(body) },
      ANALYZE_TIMEOUT_MS + chars * ANALYZE_TIMEOUT_MS_PER_CHAR,
      abort,
      onEvent,
    );
  } catch (error) {
    /** @type {Record<string, "aborted" | "busy" | "tooLarge">} */
    const counters = { aborted: "aborted", busy: "busy", "too-large": "tooLarge" };
    const counter = error instanceof ServerError ? counters[error.kind] : undefined;
    if (counter) sent[counter] += 1;
    throw error;
  } finally {
    sent.inFlight -= 1;
  }
  const notV1 = () => new ServerError("bad-answer", t("error_not_api_v1"));
  const summary = readSummary(answer?.summary);
  if (answer?.offset_unit !== "utf16" || !Array.isArray(answer.paragraphs) || !summary) throw notV1();
  /** @type {Answer["results"]} */
  const results = Array.from(paragraphs, () => null);
  for (const p of answer.paragraphs) if (results[p?.index] === null) results[p.index] = { score: p.score, spans: p.spans };
  if (answer.paragraphs.length !== paragraphs.length || results.some((r) => !r || !Array.isArray(r.spans))) throw notV1();
  return { results, summary };
}

/**
 * The suggestions of some marks of an article analysed with `analyze` (same paragraphs and
 * options): `ranges` [{paragraph, start, end}] in UTF-16 units. Resolves to the marks that
 * overlap them, PlacedSpan[] with their suggestions. Throws ServerError.
 * @param {string} serverUrl @param {Secret} secret @param {string[]} paragraphs @param {?number} threshold
 * @param {string[]} ignore @param {string} site @param {{paragraph: number, start: number, end: number}[]} ranges
 * @param {?AbortSignal} [abort] @returns {Promise<PlacedSpan[]>}
 */
export async function suggest(serverUrl, secret, paragraphs, threshold, ignore, site, ranges, abort = null) {
  const body = { ...articleBody(paragraphs, threshold, ignore, site), spans: ranges };
  const chars = paragraphs.reduce((sum, text) => sum + text.length, 0);
  const answer = await request(
    `${serverOrigin(serverUrl)}/api/v1/suggestions`,
    { method: "POST", headers: withSecret(secret, { "Content-Type": "application/json" }), body: JSON.stringify(body) },
    ANALYZE_TIMEOUT_MS + chars * ANALYZE_TIMEOUT_MS_PER_CHAR,
    abort,
  );
  const valid = (/** @type {import("./http.js").Json} */ span) => Number.isInteger(span?.paragraph) && span.paragraph < paragraphs.length && Array.isArray(span.suggestions);
  if (answer?.offset_unit !== "utf16" || !Array.isArray(answer.spans) || !answer.spans.every(valid)) {
    throw new ServerError("bad-answer", t("error_not_api_v1"));
  }
  return answer.spans;
}

/** Keep one reader's correction in the server's feedback store (this computer's only), once the
 *  server proved it knows the secret.
 *  @param {string} serverUrl @param {Secret} secret
 *  @param {{paragraph: string}} correction  the body of POST /api/v1/feedback (UTF-16 offsets)
 *  @returns {Promise<{id: number}>} */
export async function feedback(serverUrl, secret, correction) {
  await verify(serverUrl, secret);
  const body = { ...correction, paragraph: wellFormed(correction.paragraph), offset_unit: "utf16" };
  return request(
    `${serverOrigin(serverUrl)}/api/v1/feedback`,
    { method: "POST", headers: withSecret(secret, { "Content-Type": "application/json" }), body: JSON.stringify(body) },
    HEALTH_TIMEOUT_MS,
  );
}

/** The likely source of the page at `url` from the scans the server was given (POST
 *  /api/v1/source), once the server proved it knows the secret.
 *  @param {string} serverUrl @param {Secret} secret @param {string} url
 *  @returns {Promise<?import("../shared/message-types.js").PageSource>} null: none known */
export async function source(serverUrl, secret, url) {
  await verify(serverUrl, secret);
  const answer = await request(
    `${serverOrigin(serverUrl)}/api/v1/source`,
    { method: "POST", headers: withSecret(secret, { "Content-Type": "application/json" }), body: JSON.stringify({ url }) },
    HEALTH_TIMEOUT_MS,
  );
  const found = answer?.source;
  return found && isWebAddress(found.url) ? { url: found.url, title: String(found.title || ""), id: String(found.id), overlap: Number(found.overlap) } : null;
}
