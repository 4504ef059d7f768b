#!/usr/bin/env bash
# Compiles every workspace (libs/*, apps/*) from src/ to dist/ with SWC; type-checking is
# `npm run typecheck`. Each package's package.json points its runtime entry at dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
for package in libs/* apps/*; do
  rm -rf "$package/dist"
  (cd "$package" && ../../node_modules/.bin/swc src -d dist --strip-leading-paths --config-file ../../.swcrc --quiet)
done
