// Client for the local server's HTTP API v1 (issue 2). Only the background script talks to it.
// One analyze call is one article: the server decides on the paragraphs of a call together.
// An analyze call can be aborted (a newer version of the tab's document): the server sees the
// disconnect and drops the work. A busy server answers 503 with Retry-After, one over its token
// limit 413 with its count: both come back as a ServerError the caller can act on (main.js).
// Every call carries the per-user secret (Authorization: Bearer), and only after the server
// proved it knows it (`verify`: its HMAC of a fresh nonce, asked without the secret), so a
// program squatting the port gets neither the secret nor any page text.
import { NONCE_PATTERN } from "../shared/api-contract.js";
import { documentTokens } from "../shared/document.js";
import { loopbackOrigin } from "../shared/loopback.js";
import { readSummary } from "../shared/summary.js";
import { number, t } from "../shared/i18n.js";

const TOKEN_COMMAND = "unspin token"; // prints the server's secret

const HEALTH_TIMEOUT_MS = 3000;
// A whole article goes in one request (up to 200,000 characters): the wait grows with its length.
const ANALYZE_TIMEOUT_MS = 60000;
const ANALYZE_TIMEOUT_MS_PER_CHAR = 1;

// A Retry-After the server sends is kept within these bounds (seconds).
const RETRY_AFTER_S = { min: 1, max: 120, missing: 5 };

/** What went to the server since start (for the DevTools console and the browser tests):
 *  analyze requests, their paragraphs, characters and estimated tokens; how many were aborted
 *  (superseded), answered busy (503) or too large (413); requests in flight now and at most. */
export const sent = { requests: 0, paragraphs: 0, chars: 0, tokens: 0, aborted: 0, busy: 0, tooLarge: 0, inFlight: 0, peakInFlight: 0 };

export class ServerError extends Error {
  /** kind: "down" (no connection), "timeout", "error" (an error answer), "bad-answer",
   *  "no-secret" (none is known here), "impostor" (what answers does not know the secret),
   *  "not-loopback" (the stored address is not on this computer: nothing is sent), "busy" (503:
   *  try again after `retryAfter` seconds), "too-large" (413: `tokens` over the server's `limit`),
   *  "aborted" (the caller gave up on it);
   *  status: the HTTP status of an error answer (403: the server refuses this extension's origin) */
  constructor(kind, message, status = null, details = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    Object.assign(this, details);
  }
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), within RETRY_AFTER_S. */
export function retryAfterSeconds(header, now = Date.now()) {
  const value = (header ?? "").trim();
  let seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) seconds = RETRY_AFTER_S.missing;
  return Math.min(RETRY_AFTER_S.max, Math.max(RETRY_AFTER_S.min, Math.ceil(seconds)));
}

/** The server's origin from the stored address, checked each time: storage can hold anything. */
function serverOrigin(serverUrl) {
  const origin = loopbackOrigin(serverUrl);
  if (!origin) throw new ServerError("not-loopback", t("error_not_loopback", serverUrl));
  return origin;
}

/** An `error` event of a streamed answer as the ServerError its status would have given. */
function streamError(error) {
  const message = typeof error?.message === "string" ? error.message : t("error_analysis_stopped");
  if (error?.code === "busy") return new ServerError("busy", t("error_busy", RETRY_AFTER_S.missing), 503, { retryAfter: RETRY_AFTER_S.missing });
  return new ServerError("error", t("error_refused", message), 500);
}

/** One request; `abort` (an AbortSignal, optional): the caller gives up on it. `onEvent`: given,
 *  a 200 answer in NDJSON is read line by line into it (whatever it throws ends the request)
 *  and the request resolves to undefined. */
async function request(url, init, timeoutMs, abort = null, onEvent = null) {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response;
  let body;
  try {
    response = await fetch(url, { ...init, signal: abort ? AbortSignal.any([abort, timeout]) : timeout });
    if (onEvent && response.ok && response.headers.get("Content-Type")?.startsWith("application/x-ndjson")) {
      await readEvents(response, onEvent);
      return undefined;
    }
    body = await response.json().catch(() => undefined);
  } catch (error) {
    if (error instanceof ServerError) throw error; // what an event said
    body = undefined;
  }
  // Given up on (by the caller or the clock) while waiting for the answer or reading it.
  if (abort?.aborted) throw new ServerError("aborted", t("error_superseded"));
  if (timeout.aborted) throw new ServerError("timeout", t("error_timeout", url, number(timeoutMs / 1000)));
  if (!response) throw new ServerError("down", t("error_down", new URL(url).origin));
  if (response.status === 503) {
    const retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
    throw new ServerError("busy", t("error_busy", retryAfter), 503, { retryAfter });
  }
  if (body === undefined) throw new ServerError("bad-answer", t("error_no_json", response.status));
  if (response.status === 413 && Number.isInteger(body?.error?.tokens) && Number.isInteger(body?.error?.limit)) {
    const { tokens, limit } = body.error;
    throw new ServerError("too-large", t("error_too_large", number(tokens), number(limit)), 413, { tokens, limit });
  }
  if (!response.ok) {
    const message = body?.error?.message || `HTTP ${response.status}`;
    throw new ServerError("error", t("error_refused", message), response.status);
  }
  return body;
}

/** The headers of a call with the secret. */
function withSecret(secret, headers = {}) {
  if (!secret) throw new ServerError("no-secret", t("error_no_secret", TOKEN_COMMAND));
  return { ...headers, Authorization: `Bearer ${secret}` };
}

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256(secret, "<host>\n<nonce>") in lower-case hex (server/api/secret.py: proof). */
export async function proof(secret, host, nonce) {
  const encode = (text) => new TextEncoder().encode(text);
  const key = await crypto.subtle.importKey("raw", encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, encode(`${host.toLowerCase()}\n${nonce}`)));
}

/** Check that the server at `serverUrl` knows `secret` before anything is sent with it: a fresh
 *  nonce goes to health's public part (without the secret), whose `proof` must be our own HMAC
 *  of it. Throws ServerError ("impostor" when the answer is not that proof). */
export async function verify(serverUrl, secret) {
  const origin = serverOrigin(serverUrl);
  withSecret(secret); // none: nothing to check against
  const nonce = hex(crypto.getRandomValues(new Uint8Array(24)));
  if (!NONCE_PATTERN.test(nonce)) throw new Error("nonce outside the contract's pattern");
  const answer = await request(`${origin}/api/v1/health?nonce=${nonce}`, { method: "GET" }, HEALTH_TIMEOUT_MS);
  if (answer?.proof !== (await proof(secret, new URL(origin).host, nonce))) {
    throw new ServerError("impostor", t("error_impostor", origin));
  }
}

/** The server's status with the secret (verified first). */
export async function health(serverUrl, secret) {
  await verify(serverUrl, secret);
  return request(`${serverOrigin(serverUrl)}/api/v1/health`, { method: "GET", headers: withSecret(secret) }, HEALTH_TIMEOUT_MS);
}

/** A lone surrogate (the server refuses it) becomes U+FFFD: same UTF-16 length, same offsets. */
function wellFormed(text) {
  return typeof text.toWellFormed === "function" ? text.toWellFormed() : text;
}

/** The article part of a request body: the paragraphs and the reader's options. `site`: the
 *  site of the tab that asks (its top-level page), sent as `partition` so that the server's cache
 *  never answers one site from what another site's page asked. */
function articleBody(paragraphs, threshold, ignore, site) {
  const body = { paragraphs: paragraphs.map(wellFormed), offset_unit: "utf16" }; // the server's number of suggestions
  if (site) body.partition = site; // the server keeps its cached answers apart per asking site
  if (threshold != null) body.threshold = threshold;
  if (ignore.length) body.ignore = ignore.map(wellFormed); // the reader's allow-list
  return body;
}

/** The lines of an NDJSON answer as they come, each parsed, to `onEvent`; resolves when it ends. */
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      onEvent(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
    }
  }
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
 * @param {(placed: object[]) => void} [onMarks]
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
  /** @type {any} */
  let answer;
  const onEvent = (event) => {
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
    const counter = { aborted: "aborted", busy: "busy", "too-large": "tooLarge" }[error.kind];
    if (counter) sent[counter] += 1;
    throw error;
  } finally {
    sent.inFlight -= 1;
  }
  const notV1 = () => new ServerError("bad-answer", t("error_not_api_v1"));
  const summary = readSummary(answer?.summary);
  if (answer?.offset_unit !== "utf16" || !Array.isArray(answer.paragraphs) || !summary) throw notV1();
  const results = Array.from(paragraphs, () => null);
  for (const p of answer.paragraphs) if (results[p?.index] === null) results[p.index] = { score: p.score, spans: p.spans };
  if (answer.paragraphs.length !== paragraphs.length || results.some((r) => !r || !Array.isArray(r.spans))) throw notV1();
  return { results, summary };
}

/**
 * The suggestions of some marks of an article analysed with `analyze` (same paragraphs and
 * options): `ranges` [{paragraph, start, end}] in UTF-16 units. Resolves to the marks that
 * overlap them, PlacedSpan[] with their suggestions. Throws ServerError.
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
  const valid = (span) => Number.isInteger(span?.paragraph) && span.paragraph < paragraphs.length && Array.isArray(span.suggestions);
  if (answer?.offset_unit !== "utf16" || !Array.isArray(answer.spans) || !answer.spans.every(valid)) {
    throw new ServerError("bad-answer", t("error_not_api_v1"));
  }
  return answer.spans;
}

/** Keep one reader's correction in the server's feedback store (this computer's only), once the
 *  server proved it knows the secret.
 *  @param {object} correction  the body of POST /api/v1/feedback (UTF-16 offsets)
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
 *  @returns {Promise<?{url: string, title: string, id: string, overlap: number}>} null: none known */
export async function source(serverUrl, secret, url) {
  await verify(serverUrl, secret);
  const answer = await request(
    `${serverOrigin(serverUrl)}/api/v1/source`,
    { method: "POST", headers: withSecret(secret, { "Content-Type": "application/json" }), body: JSON.stringify({ url }) },
    HEALTH_TIMEOUT_MS,
  );
  const found = answer?.source;
  return found && /^https?:\/\//.test(found.url) ? { url: found.url, title: String(found.title || ""), id: String(found.id), overlap: Number(found.overlap) } : null;
}
