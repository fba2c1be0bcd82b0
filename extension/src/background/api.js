// Client for the local server's HTTP API v1 (issue 2). Only the background script talks to it.

const HEALTH_TIMEOUT_MS = 3000;
const ANALYZE_TIMEOUT_MS = 60000;

export class ServerError extends Error {
  /** kind: "down" (no connection), "timeout", "error" (an error answer), "bad-answer" */
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
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
    throw new ServerError("error", `The server refused the request: ${message}`);
  }
  return body;
}

export function health(serverUrl) {
  return request(`${serverUrl}/api/v1/health`, { method: "GET" }, HEALTH_TIMEOUT_MS);
}

/** Analyse paragraphs; returns [{score, spans}] in the same order. */
export async function analyze(serverUrl, paragraphs, threshold) {
  const body = { paragraphs, offset_unit: "utf16", max_suggestions: 3 };
  if (threshold != null) body.threshold = threshold;
  const answer = await request(
    `${serverUrl}/api/v1/analyze`,
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    ANALYZE_TIMEOUT_MS,
  );
  if (answer.offset_unit !== "utf16" || !Array.isArray(answer.paragraphs) || answer.paragraphs.length !== paragraphs.length) {
    throw new ServerError("bad-answer", "The server's answer does not match API v1");
  }
  const out = new Array(paragraphs.length);
  for (const p of answer.paragraphs) out[p.index] = { score: p.score, spans: p.spans };
  return out;
}
