// One HTTP request to the local server and what its answer means (api.js makes the calls): the
// errors a caller can act on (ServerError: down, timed out, busy with a Retry-After, too large
// with the server's count, refused), and a streamed answer (NDJSON) read event by event.
import { number, t } from "../shared/i18n.js";

/** How long a call that is not an analysis may take (ms). */
export const HEALTH_TIMEOUT_MS = 3000;

// A Retry-After the server sends is kept within these bounds (seconds).
const RETRY_AFTER_S = { min: 1, max: 120, missing: 5 };

/** @typedef {import("../shared/message-types.js").Unchecked} Json  an answer's parsed JSON */

export class ServerError extends Error {
  /** kind: "down" (no connection), "timeout", "error" (an error answer), "bad-answer",
   *  "no-secret" (none is known here), "impostor" (what answers does not know the secret),
   *  "not-loopback" (the stored address is not on this computer: nothing is sent), "busy" (503:
   *  try again after `retryAfter` seconds), "too-large" (413: `tokens` over the server's `limit`),
   *  "aborted" (the caller gave up on it);
   *  status: the HTTP status of an error answer (403: the server refuses this extension's origin) */
  /** @param {string} kind @param {string} message @param {?number} [status]
   *  @param {{retryAfter?: number, tokens?: number, limit?: number}} [details] */
  constructor(kind, message, status = null, details = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    /** @type {number | undefined} seconds to wait (busy) */
    this.retryAfter = details.retryAfter;
    /** @type {number | undefined} the article's tokens (too-large) */
    this.tokens = details.tokens;
    /** @type {number | undefined} the server's token limit (too-large) */
    this.limit = details.limit;
  }
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), within RETRY_AFTER_S.
 *  @param {?string | undefined} header  null: none @param {number} [now] ms since the epoch */
export function retryAfterSeconds(header, now = Date.now()) {
  const value = (header ?? "").trim();
  let seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) seconds = RETRY_AFTER_S.missing;
  return Math.min(RETRY_AFTER_S.max, Math.max(RETRY_AFTER_S.min, Math.ceil(seconds)));
}

/** An `error` event of a streamed answer as the ServerError its status would have given.
 *  @param {Json} error  the event's `error` (unchecked) */
export function streamError(error) {
  const message = typeof error?.message === "string" ? error.message : t("error_analysis_stopped");
  if (error?.code === "busy") return new ServerError("busy", t("error_busy", RETRY_AFTER_S.missing), 503, { retryAfter: RETRY_AFTER_S.missing });
  return new ServerError("error", t("error_refused", message), 500);
}

/** One request; `abort` (an AbortSignal, optional): the caller gives up on it. `onEvent`: given,
 *  a 200 answer in NDJSON is read line by line into it (whatever it throws ends the request)
 *  and the request resolves to undefined.
 *  @param {string} url @param {RequestInit} init @param {number} timeoutMs
 *  @param {?AbortSignal} [abort] @param {?((event: Json) => void)} [onEvent]
 *  @returns {Promise<Json>} the answer's JSON (undefined: streamed to `onEvent`) */
export async function request(url, init, timeoutMs, abort = null, onEvent = null) {
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

/** The lines of an NDJSON answer as they come, each parsed, to `onEvent`; resolves when it ends.
 *  @param {Response} response  one with a body @param {(event: Json) => void} onEvent */
async function readEvents(response, onEvent) {
  const stream = /** @type {NonNullable<Response["body"]>} */ (response.body);
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
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
