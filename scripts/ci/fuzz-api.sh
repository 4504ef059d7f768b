#!/usr/bin/env bash
# Fuzzes the REST API from its own OpenAPI document with schemathesis: every operation, every check
# (no 5xx, every answer in its documented status and schema, schema-valid requests accepted and
# invalid ones refused, 405 for undeclared methods, stateful sequences through the resources), a
# fixed seed, configuration in scripts/ci/schemathesis.toml, and the hooks in
# scripts/ci/schemathesis_hooks.py (bodies with an unpaired surrogate or nested past 128 levels,
# which JSON Schema cannot describe, and the check that they are refused). npm test (scripts/test.sh) runs it
# after Jest, against the same Kafka and PostgreSQL (KAFKA_BROKERS, DATABASE_URL): a built ingest
# service of its own (dist/, so build first) on its own topic prefix and its own database, which is
# dropped afterwards. Exits non-zero when schemathesis finds a failure. Arguments go to
# `schemathesis run`, e.g. `--include-path-regex endpoint` to fuzz some operations only.
#
# schemathesis: ${HOOKLINE_CACHE_DIR:-~/.cache/hookline}/schemathesis-<version>, a venv created on
# first use from scripts/ci/schemathesis-requirements.txt (exact versions, hashes required).
# Reports: .local/fuzz/junit.xml and events.ndjson; the API's log: .local/fuzz/ingest.log.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
REQUIREMENTS=scripts/ci/schemathesis-requirements.txt
CONFIG=scripts/ci/schemathesis.toml
VENV="${HOOKLINE_CACHE_DIR:-${HOME:?}/.cache/hookline}/schemathesis-$SCHEMATHESIS_VERSION"
REPORT_DIR="$PWD/.local/fuzz"
# Hard stop well above a normal run (about 2 minutes on two cores), so a hang cannot eat CI's time.
TIME_LIMIT="${HOOKLINE_FUZZ_TIME_LIMIT:-600}"
NODE=node_modules/.bin/node

log() { echo "fuzz-api: $*" >&2; }
die() { log "error: $*"; exit 1; }

: "${KAFKA_BROKERS:?fuzz-api: KAFKA_BROKERS must point at a running Kafka (npm test starts one)}"
: "${DATABASE_URL:?fuzz-api: DATABASE_URL must point at a running PostgreSQL (npm test starts one)}"
[[ -f apps/ingest/dist/main.js ]] || die "apps/ingest/dist is missing: npm run build first"

install_schemathesis() {
  command -v python3 >/dev/null || die "python3 not found: it runs schemathesis"
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV (first run only)"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: -r "$REQUIREMENTS" >&2
  # Written last: a venv whose install failed half-way is made again next time.
  cp "$REQUIREMENTS" "$VENV/installed-requirements.txt"
}
if ! cmp -s "$REQUIREMENTS" "$VENV/installed-requirements.txt" 2>/dev/null || [[ ! -x "$VENV/bin/schemathesis" ]]; then
  install_schemathesis
fi

# A database of its own on the same server, so the run starts from nothing on every machine
# (the same seed then gives the same cases) and never reads the rows Jest's tests left.
suffix="$(openssl rand -hex 4)"
FUZZ_DATABASE_URL="$("$NODE" -e '
  const url = new URL(process.argv[1]);
  url.pathname = `/${url.pathname.slice(1) || "postgres"}_fuzz_${process.argv[2]}`;
  console.log(url.href);' "$DATABASE_URL" "$suffix")"
database() { # create|drop: the fuzz database, through the server's maintenance connection
  "$NODE" --input-type=module -e '
    import pg from "pg";
    const [action, serverUrl, fuzzUrl] = process.argv.slice(1);
    const name = decodeURIComponent(new URL(fuzzUrl).pathname.slice(1));
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(action === "create" ? `CREATE DATABASE "${name}"` : `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }' "$1" "$DATABASE_URL" "$FUZZ_DATABASE_URL"
}

API_PID=
cleanup() {
  if [[ -n "$API_PID" ]]; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  database drop || log "could not drop the fuzz database ($FUZZ_DATABASE_URL)"
}
trap cleanup EXIT

mkdir -p "$REPORT_DIR"
rm -f "$REPORT_DIR"/junit.xml "$REPORT_DIR"/events.ndjson "$REPORT_DIR"/*.dict
database create
DATABASE_URL="$FUZZ_DATABASE_URL" "$NODE" node_modules/typeorm/cli.js migration:run -d libs/database/dist/data-source.js >"$REPORT_DIR/migrations.log" 2>&1 \
  || { cat "$REPORT_DIR/migrations.log" >&2; die "migrations failed on the fuzz database"; }

PORT="$("$NODE" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
API="http://127.0.0.1:$PORT"
TOKEN="hk_admin_fuzz_$(openssl rand -hex 16)"
# The ingest service alone (no delivery runs, so nothing is ever sent to an endpoint). The SSRF
# policy is tested elsewhere (test/integration/api.int.spec.ts); here it allows every address and
# plain http, so that schema-valid endpoint URLs are not refused for where they point. The rate
# limit is off: the fuzz sends far more than 100 requests a second with one token; and an
# application may have 1000 endpoints, for the fixtures below.
env KAFKA_BROKERS="$KAFKA_BROKERS" DATABASE_URL="$FUZZ_DATABASE_URL" \
  HOOKLINE_TOPIC_PREFIX="fuzz-$suffix" HOOKLINE_TOPIC_PARTITIONS=1 \
  HOOKLINE_ADMIN_TOKEN="$TOKEN" HOOKLINE_SECRETS_KEYS="fuzz:$(openssl rand -base64 32)" \
  HOOKLINE_API_PORT="$PORT" HOOKLINE_HEALTH_PORT="$PORT" HOOKLINE_API_RATE_LIMIT=0 HOOKLINE_MAX_ENDPOINTS_PER_APP=1000 \
  HOOKLINE_DELIVERY_ALLOW_HTTP=true HOOKLINE_DELIVERY_ALLOWED_SUBNETS=0.0.0.0/0,::/0 \
  HOOKLINE_LOG_LEVEL=warn \
  "$NODE" apps/ingest/dist/main.js >"$REPORT_DIR/ingest.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "$API/health/ready" >/dev/null 2>&1 && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$REPORT_DIR/ingest.log" >&2; die "the ingest service exited"; }
  sleep 0.5
done
curl -fsS "$API/health/ready" >/dev/null || { cat "$REPORT_DIR/ingest.log" >&2; die "the ingest service was not ready within 60 s"; }

# Fixtures that the path parameters draw from (as well as generated values and, in the stateful
# phase, ids from earlier answers), so every operation also meets resources that exist. Separate
# ones for the two deletes, so they cannot take the others' away. Written as schemathesis
# dictionaries, which scripts/ci/schemathesis.toml reads.
"$NODE" --input-type=module -e '
  import { randomUUID } from "node:crypto";
  import { writeFileSync } from "node:fs";
  import pg from "pg";
  const [api, token, dir, databaseUrl] = process.argv.slice(1);
  async function post(path, body) {
    const response = await fetch(api + path, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  // With an example in its schemas, so that send-example has one to send.
  await post("/api/v1/event-type", { name: "fuzz.fixture", description: "A fixture of the API fuzz", schemas: { "1": { type: "object", examples: [{ fixture: true }] } } });
  const app = await post("/api/v1/app", { name: "Fuzz fixture", uid: "fuzz-fixture" });
  // Each delete succeeds once per fixture: enough of them that it keeps meeting one that exists.
  const doomedApps = [];
  for (let n = 0; n < 5; n++) doomedApps.push(await post("/api/v1/app", { name: `Fuzz fixture to delete ${n}` }));
  // Loopback port 9 (discard): nothing is delivered in this run, and nothing listens there.
  const endpoint = await post(`/api/v1/app/${app.id}/endpoint`, { url: "http://127.0.0.1:9/fixture", uid: "fuzz-fixture", eventTypes: ["fuzz.fixture"] });
  const doomedEndpointsApp = await post("/api/v1/app", { name: "Fuzz fixture of endpoints to delete" });
  const doomedEndpoints = [];
  for (let n = 0; n < 100; n++) doomedEndpoints.push(await post(`/api/v1/app/${doomedEndpointsApp.id}/endpoint`, { url: `http://127.0.0.1:9/doomed/${n}` }));
  const message = await post(`/api/v1/app/${app.id}/msg`, { eventType: "fuzz.fixture", eventId: "fuzz-fixture", payload: { fixture: true } });
  // No delivery runs here, so the fixture message gets an attempt (and its status) the way delivery records them.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const attemptId = randomUUID();
  try {
    await client.query(
      "INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code, response_duration_ms, response_excerpt, created_at) VALUES ($1, $2, $3, $4, 1, $5, true, 200, 5, $6, now())",
      [attemptId, message.id, endpoint.id, app.id, endpoint.url, "ok"],
    );
    await client.query("INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at) VALUES ($1, $2, $3, $4, 1, now())", [message.id, endpoint.id, app.id, "succeeded"]);
  } finally {
    await client.end();
  }
  // Keys for the revocation to meet (revoking one twice answers 204 again), in an application of
  // their own: the delete of an application may meet the main fixture before the revocation runs.
  const apiKeysApp = await post("/api/v1/app", { name: "Fuzz fixture of API keys" });
  const apiKeys = [];
  for (let n = 0; n < 5; n++) apiKeys.push(await post(`/api/v1/app/${apiKeysApp.id}/api-key`, { name: `fuzz fixture ${n}` }));
  const dictionary = (name, values) => writeFileSync(`${dir}/${name}.dict`, values.map((value) => JSON.stringify(value)).join("\n") + "\n");
  dictionary("apps", [app.id, app.uid]);
  dictionary("endpoints", [endpoint.id, endpoint.uid]);
  dictionary("messages", [message.id, message.eventId]);
  dictionary("attempts", [attemptId]);
  dictionary("event-types", ["fuzz.fixture"]);
  dictionary("doomed-apps", doomedApps.map((doomed) => doomed.id));
  dictionary("doomed-endpoints-app", [doomedEndpointsApp.id]);
  dictionary("doomed-endpoints", doomedEndpoints.map((doomed) => doomed.id));
  dictionary("api-keys-app", [apiKeysApp.id]);
  dictionary("api-keys", apiKeys.map((key) => key.id));' "$API" "$TOKEN" "$REPORT_DIR" "$FUZZ_DATABASE_URL" || die "could not create the fixtures"

log "fuzzing $API/api/v1/openapi.json (schemathesis $SCHEMATHESIS_VERSION, $CONFIG)"
started=$SECONDS
status=0
HOOKLINE_FUZZ_TOKEN="$TOKEN" HOOKLINE_FUZZ_REPORT_DIR="$REPORT_DIR" SCHEMATHESIS_HOOKS="$PWD/scripts/ci/schemathesis_hooks.py" \
  timeout --signal=INT --kill-after=30 "$TIME_LIMIT" \
  "$VENV/bin/schemathesis" --config-file "$CONFIG" --no-color run "$@" "$API/api/v1/openapi.json" >"$REPORT_DIR/schemathesis.log" 2>&1 || status=$?
elapsed=$((SECONDS - started))

# The last lines say what was found; all of it is in the log.
if [[ $status -ne 0 ]]; then
  sed -n '/= FAILURES =/,$p' "$REPORT_DIR/schemathesis.log" >&2
  grep -q '= FAILURES =' "$REPORT_DIR/schemathesis.log" || tail -n 40 "$REPORT_DIR/schemathesis.log" >&2
fi
operations="$(sed -n 's/^ *Tested: *\([0-9]*\).*/\1/p' "$REPORT_DIR/schemathesis.log" | tail -n 1)"
cases="$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$REPORT_DIR/schemathesis.log" | tail -n 1)"
result="$(grep -E '^=+ .* in [0-9.]+s =+$' "$REPORT_DIR/schemathesis.log" | tail -n 1 | sed 's/^=* *//; s/ *=*$//')"
log "${operations:-?} operations tested, ${cases:-?} test cases, ${result:-no summary (exit $status)}; ${elapsed} s; report: .local/fuzz/junit.xml"
[[ $status -eq 0 ]] || die "schemathesis found failures (exit $status); full log: .local/fuzz/schemathesis.log"
