// Builds dist/chromium and dist/firefox from the one source tree in src/.
//   npm ci && npm run build        (or ./build.sh, which skips the work when dist is fresh)
// With --test it builds dist/test/chromium and dist/test/firefox instead: the same extension plus
// the hooks the browser tests read (__TEST_BUILD__: the hovercard's description in the page state,
// content/describe-overlay.js; the nativeMessaging permission granted at install); the shipped
// build leaves them out.
// Each browser's manifest: manifest.mjs.
import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestFor } from "./manifest.mjs";

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
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifestFor(browser, testBuild), null, 2) + "\n");
}

for (const browser of ["chromium", "firefox"]) await buildFor(browser);
console.log(`built ${dist}/chromium and ${dist}/firefox`);
