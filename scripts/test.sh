#!/usr/bin/env bash
# npm test: the whole suite against a real Kafka and a real PostgreSQL (started here unless
# KAFKA_BROKERS and DATABASE_URL point at running ones). Extra arguments go to Jest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/stack/lib.sh
source scripts/lib/chromium.sh
ensure_dependencies
ensure_chromium
# Some tests run a service's built dist/ as a child process (test/integration/retry-crash), and
# the browser tests (test/browser) need the console that ingest serves from apps/console/dist.
bash scripts/build.sh
# The front-end's own logic (apps/console, Vitest); not when Jest was given a selection.
if [[ $# -eq 0 ]]; then (cd apps/console && ../../node_modules/.bin/vitest run); fi
# Lints and renders the Helm chart (building helm from Go modules on first use, cached outside
# the repo); the chart tests read the manifests with the same binary.
export "$(bash scripts/ci/helm.sh | grep '^HOOKLINE_HELM=')"
# The traces test (test/browser/traces.spec.ts) runs a Jaeger of its own: built once from its Go
# module, cached outside the repo like helm.
export "$(bash scripts/stack/jaeger.sh binary | grep '^HOOKLINE_JAEGER_BIN=')"
trap stack_down EXIT
stack_up
echo "hookline: testing against KAFKA_BROKERS=$KAFKA_BROKERS DATABASE_URL=$DATABASE_URL" >&2
bash scripts/jest.sh "$@"
# The API fuzzed from its own OpenAPI document (schemathesis), against the same stack; not when
# Jest was given a selection of tests to run.
if [[ $# -eq 0 ]]; then bash scripts/ci/fuzz-api.sh; fi
