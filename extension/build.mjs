// Builds dist/chromium and dist/firefox from the one source tree in src/.
//   npm ci && npm run build        (or ./build.sh, which skips the work when dist is fresh)
// With --test it builds dist/test/chromium and dist/test/firefox instead: the same extension plus
// the hooks the browser tests read (__TEST_BUILD__: the hovercard's description in the page state,
// content/describe-overlay.js; the nativeMessaging permission granted at install); the shipped
// build leaves them out.
// Chromium gets a service worker and a fixed "key" (stable extension id);
// Firefox MV3 gets background.scripts and browser_specific_settings.gecko instead.
import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, "src");
const testBuild = process.argv.includes("--test");
const dist = testBuild ? join(root, "dist", "test") : join(root, "dist");

// Bundled entry points: content script (classic script, no modules), background, pages.
const entries = {
  content: "content/main.js",
  background: "background/main.js",
  popup: "popup/popup.js",
  options: "options/options.js",
  restored: "restored/restored.js",
  welcome: "welcome/welcome.js",
};
// Copied as they are; the messages of each language (src/_locales/<language>/messages.json: the
// extension's words, shared/i18n.js) too.
const locales = readdirSync(join(src, "_locales"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
const statics = [
  ...locales.map((entry) => `_locales/${entry.name}/messages.json`),
  "icons",
  "content/content.css",
  "popup/popup.html",
  "popup/popup.css",
  "options/options.html",
  "restored/restored.html",
  "restored/restored.css",
  "welcome/welcome.html",
  "welcome/welcome.css",
  "shared/page.css",
];

// The Firefox id: server/openapi.json owns it (the browser host lets exactly this id in).
const openapi = JSON.parse(readFileSync(join(root, "..", "server", "openapi.json"), "utf8"));
const GECKO = {
  id: openapi.info["x-browser-host"].firefox_extension_id,
  strict_min_version: "140.0", // CSS Custom Highlight API
  data_collection_permissions: { required: ["none"] },
};

function manifestFor(browser) {
  const manifest = JSON.parse(readFileSync(join(src, "manifest.json"), "utf8"));
  // The test build holds the browser host's permission from the start: a driven browser cannot
  // answer the prompt the first-run page's button brings up.
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

async function buildFor(browser) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(src, file)])),
    outdir: out,
    bundle: true,
    format: "iife",
    target: browser === "firefox" ? "firefox140" : "chrome120",
    define: { __BROWSER__: JSON.stringify(browser), __TEST_BUILD__: JSON.stringify(testBuild) },
    legalComments: "inline",
    loader: { ".css": "text" },
    logLevel: "warning",
  });
  for (const file of statics) {
    const target = join(out, file.replace(/^(content|popup|options|restored|shared|welcome)\//, ""));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(src, file), target, { recursive: true });
  }
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifestFor(browser), null, 2) + "\n");
}

for (const browser of ["chromium", "firefox"]) await buildFor(browser);
console.log(`built ${dist}/chromium and ${dist}/firefox`);
