// Client for the local server's HTTP API v1 (issue 2). Only the background script talks to it.
// One analyze call is one article: the server decides on the paragraphs of a call together.
import { loopbackOrigin } from "../shared/loopback.js";
import { readSummary } from "../shared/summary.js";

const HEALTH_TIMEOUT_MS = 3000;
// A whole article goes in one request (up to 200,000 characters): the wait grows with its length.
const ANALYZE_TIMEOUT_MS = 60000;
const ANALYZE_TIMEOUT_MS_PER_CHAR = 1;

/** What went to the server since start (for the DevTools console and the browser tests). */
export const sent = { requests: 0, paragraphs: 0, chars: 0 };

export class ServerError extends Error {
  /** kind: "down" (no connection), "timeout", "error" (an error answer), "bad-answer",
   *  "not-loopback" (the stored address is not on this computer: nothing is sent);
   *  status: the HTTP status of an error answer (403: the server refuses this extension's origin) */
  constructor(kind, message, status = null) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

/** The server's origin from the stored address, checked each time: storage can hold anything. */
function serverOrigin(serverUrl) {
  const origin = loopbackOrigin(serverUrl);
  if (!origin) throw new ServerError("not-loopback", `The server address ${serverUrl} is not on this computer: set an http://127.0.0.1 or http://localhost address in Unspin's options`);
  return origin;
}

async function request(url, init, timeoutMs) {
  let response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error.name === "TimeoutError") throw new ServerError("timeout", `No answer from ${url} within ${timeoutMs / 1000} s`);
    throw new ServerError("down", `Cannot reach the Unspin server at ${new URL(url).origin}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ServerError("bad-answer", `The server answered ${response.status} without JSON`);
  }
  if (!response.ok) {
    const message = body?.error?.message || `HTTP ${response.status}`;
    throw new ServerError("error", `The server refused the request: ${message}`, response.status);
  }
  return body;
}

export function health(serverUrl) {
  return request(`${serverOrigin(serverUrl)}/api/v1/health`, { method: "GET" }, HEALTH_TIMEOUT_MS);
}

/** A lone surrogate (the server refuses it) becomes U+FFFD: same UTF-16 length, same offsets. */
function wellFormed(text) {
  return typeof text.toWellFormed === "function" ? text.toWellFormed() : text;
}

/**
 * Analyse the paragraphs of one article (within the page's text budget: see shared/document.js),
 * never flagging a wording of `ignore` (the reader's allow-list).
 * Returns {results: [{score, spans}] in the same order, summary} (the server's Summary of the
 * article: its figures and verdict, see shared/summary.js).
 */
export async function analyze(serverUrl, paragraphs, threshold, ignore = []) {
  const body = { paragraphs: paragraphs.map(wellFormed), offset_unit: "utf16", max_suggestions: 3 };
  if (threshold != null) body.threshold = threshold;
  if (ignore.length) body.ignore = ignore.map(wellFormed); // the reader's allow-list
  const chars = paragraphs.reduce((sum, text) => sum + text.length, 0);
  const origin = serverOrigin(serverUrl);
  sent.requests += 1;
  sent.paragraphs += paragraphs.length;
  sent.chars += chars;
  const answer = await request(
    `${origin}/api/v1/analyze`,
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    ANALYZE_TIMEOUT_MS + chars * ANALYZE_TIMEOUT_MS_PER_CHAR,
  );
  const notV1 = () => new ServerError("bad-answer", "The server's answer does not match API v1");
  const summary = readSummary(answer?.summary);
  if (answer?.offset_unit !== "utf16" || !Array.isArray(answer.paragraphs) || !summary) throw notV1();
  const results = Array.from(paragraphs, () => null);
  for (const p of answer.paragraphs) if (results[p?.index] === null) results[p.index] = { score: p.score, spans: p.spans };
  if (answer.paragraphs.length !== paragraphs.length || results.some((r) => !r || !Array.isArray(r.spans))) throw notV1();
  return { results, summary };
}

/** Keep one reader's correction in the server's feedback store (this computer's only).
 *  @param {object} correction  the body of POST /api/v1/feedback (UTF-16 offsets) @returns {{id}} */
export function feedback(serverUrl, correction) {
  const body = { ...correction, paragraph: wellFormed(correction.paragraph), offset_unit: "utf16" };
  return request(
    `${serverOrigin(serverUrl)}/api/v1/feedback`,
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    HEALTH_TIMEOUT_MS,
  );
}
