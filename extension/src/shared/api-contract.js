// What the extension takes from the server's API description (server/openapi.json, the one owner
// of these rules; tests/test_shared_rules.py checks that the server agrees): where the server
// listens by default, and the limits of an analyze request.
import openapi from "../../../server/openapi.json" with { type: "json" };

const request = openapi.components.schemas.AnalyzeRequest.properties;

/** The server's default address (`unspin serve` without --host and --port). */
export const DEFAULT_SERVER_URL = openapi.servers[0].url;

/** Suggestions per span the server gives when not asked for another number. */
export const DEFAULT_SUGGESTIONS = request.max_suggestions.default;

/** Entries of an allow-list (`ignore`) at most. */
export const MAX_ALLOW_LIST = request.ignore.maxItems;

/** Characters (code points) of one allow-list entry at most. */
export const MAX_WORDING_CHARS = request.ignore.items.maxLength;
