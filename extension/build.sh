#!/bin/sh
# Build the extension (dist/chromium, dist/firefox; with --test: dist/test/chromium and
# dist/test/firefox, see build.mjs) unless it is already up to date.
# Installs the pinned npm packages first when node_modules is missing or older than the lock file.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "$1" = "--test" ]; then stamp=dist/test/.stamp; else stamp=dist/.stamp; fi
if [ -f "$stamp" ] && [ -z "$(find src build.mjs package-lock.json ../server/words.json ../server/openapi.json ../server/mark-levels.json -newer "$stamp" -print -quit)" ]; then
  echo "extension/${stamp%/.stamp} is up to date"
  exit 0
fi
node build.mjs "$@"
touch "$stamp"
