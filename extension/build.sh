#!/bin/sh
# Build the extension (dist/chromium, dist/firefox and their packages in dist/packages; with --test:
# dist/test/chromium and dist/test/firefox, see build.mjs) unless it is already up to date.
# Installs the pinned npm packages first when node_modules is missing or older than the lock file.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "$1" = "--test" ]; then stamp=dist/test/.stamp; else stamp=dist/.stamp; fi
if [ -f "$stamp" ] && [ -z "$(find src build.mjs manifest.mjs package-lock.json ../server/words.json ../server/openapi.json ../server/mark-levels.json -newer "$stamp" -print -quit)" ]; then
  echo "extension/${stamp%/.stamp} is up to date"
  exit 0
fi
node build.mjs "$@"
# The packages a reader installs (not for the test build): dist/packages/unspin-chromium-<version>.zip
# for the Chrome Web Store or "Pack extension", unspin-firefox-<version>.zip (an .xpi once signed) for
# addons.mozilla.org or about:debugging. web-ext (pinned in package-lock.json) zips them.
if [ "$1" != "--test" ]; then
  for browser in chromium firefox; do
    npx --no-install web-ext build --source-dir "dist/$browser" --artifacts-dir dist/packages \
      --filename "unspin-$browser-{version}.zip" --overwrite-dest >/dev/null
  done
  echo "packaged extension/dist/packages: $(ls dist/packages | tr '\n' ' ')"
fi
touch "$stamp"
