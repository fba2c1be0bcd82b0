// What the extension takes from the server's API description (server/openapi.json, the one owner
// of these rules; tests/test_shared_rules.py checks that the server agrees): where the server
// listens by default and on which loopback names, the limits of an analyze request, the verdicts of
// a summary, the browser host's name and the nonce.
import openapi from "../../../server/openapi.json" with { type: "json" };

const request = openapi.components.schemas.AnalyzeRequest.properties;

/** The native messaging host that starts the server (`unspin browser-host install`). */
export const BROWSER_HOST = openapi.info["x-browser-host"].name;

/** What a nonce sent to GET /api/v1/health may be (the server proves it knows the secret). */
export const NONCE_PATTERN = new RegExp(openapi.paths["/api/v1/health"].get.parameters[0].schema.pattern);

/** The server's default address (`unspin serve` without --host and --port). */
export const DEFAULT_SERVER_URL = openapi.servers[0].url;

/** Suggestions per span the server gives when not asked for another number. */
export const DEFAULT_SUGGESTIONS = request.max_suggestions.default;

/** Entries of an allow-list (`ignore`) at most. */
export const MAX_ALLOW_LIST = request.ignore.maxItems;

/** Characters (code points) of one allow-list entry at most. */
export const MAX_WORDING_CHARS = request.ignore.items.maxLength;

/** Ranges a POST /api/v1/suggestions request may ask about at most. */
export const MAX_SUGGESTION_SPANS = openapi.components.schemas.SuggestRequest.properties.spans.maxItems;

/** The sensitivity scale readers choose from, fewest marks (highest threshold) first. */
export const THRESHOLD_SCALE = Object.freeze([...request.threshold["x-scale"]]);

/** The loopback host names the extension may address the server by (loopback.js; the manifest's
 *  host permissions and connect-src, manifest.mjs). */
export const LOOPBACK_HOSTS = Object.freeze([...openapi["x-loopback-hosts"]]);

/** A summary's verdicts, from the most to the least spun (Summary.verdict). */
export const VERDICTS = Object.freeze([...openapi.components.schemas.Summary.properties.verdict.enum]);
