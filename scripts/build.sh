#!/usr/bin/env bash
# Compiles every workspace (libs/*, apps/*) from src/ to dist/ with SWC; type-checking is
# `npm run typecheck`. Each package's package.json points its runtime entry at dist/. The browser
# app apps/console is bundled by Vite instead: the console and the portal, each into dist/<name>/,
# which ingest serves at /console/ and /portal/.
set -euo pipefail
cd "$(dirname "$0")/.."
for package in libs/* apps/*; do
  rm -rf "$package/dist"
  if [[ "$package" == apps/console ]]; then
    for site in console portal; do
      (cd "$package" && ../../node_modules/.bin/vite build --mode "$site" --logLevel warn)
    done
  else
    (cd "$package" && ../../node_modules/.bin/swc src -d dist --strip-leading-paths --config-file ../../.swcrc --quiet)
  fi
done
