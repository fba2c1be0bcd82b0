// Each browser's manifest.json from src/manifest.json (build.mjs writes it into dist). What the
// server's API description owns comes from server/openapi.json: the loopback hosts the extension
// may reach (host_permissions and the extension pages' connect-src; "x-loopback-hosts", the list
// shared/loopback.js checks addresses against) and the Firefox id the browser host lets in.
// Chromium gets a service worker and a fixed "key" (stable extension id); Firefox MV3 gets
// background.scripts and browser_specific_settings.gecko instead.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const openapi = JSON.parse(readFileSync(join(root, "..", "server", "openapi.json"), "utf8"));

/** The loopback host names the extension may address the server by (openapi.json). */
export const LOOPBACK_HOSTS = Object.freeze([...openapi["x-loopback-hosts"]]);

const GECKO = {
  id: openapi.info["x-browser-host"].firefox_extension_id,
  strict_min_version: "140.0", // CSS Custom Highlight API
  data_collection_permissions: { required: ["none"] },
};

/** The manifest with host_permissions for the loopback hosts, right after its other permissions. */
function withHostPermissions(manifest) {
  const entries = Object.entries(manifest);
  const after = entries.findIndex(([key]) => key === "optional_permissions") + 1 || entries.length;
  entries.splice(after, 0, ["host_permissions", LOOPBACK_HOSTS.map((host) => `http://${host}/*`)]);
  return Object.fromEntries(entries);
}

/**
 * The manifest for `browser` ("chromium" | "firefox"); `testBuild` (build.mjs --test): it holds the
 * browser host's permission from the start (a driven browser cannot answer the prompt the
 * first-run page's button brings up).
 */
export function manifestFor(browser, testBuild = false) {
  const manifest = withHostPermissions(JSON.parse(readFileSync(join(root, "src", "manifest.json"), "utf8")));
  const pages = manifest.content_security_policy;
  pages.extension_pages = pages.extension_pages.replace(
    /connect-src 'self'/,
    (sources) => [sources, ...LOOPBACK_HOSTS.map((host) => `http://${host}:*`)].join(" "),
  );
  if (testBuild) {
    manifest.permissions.push(...manifest.optional_permissions);
    delete manifest.optional_permissions;
  }
  if (browser === "firefox") {
    delete manifest.key;
    delete manifest.minimum_chrome_version;
    manifest.background = { scripts: ["background.js"] };
    // Firefox for Android reads data_collection_permissions from 142 on.
    manifest.browser_specific_settings = { gecko: GECKO, gecko_android: { strict_min_version: "142.0" } };
  }
  return manifest;
}
