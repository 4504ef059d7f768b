#!/usr/bin/env bash
# The message log's paging cost (issue 21: "a 100,000-message application pages as fast as a
# small one"), through the API as the console asks for it: GET /api/v1/app/{app}/msg, 50 a page,
# without payloads, by iterator. Seeds, in the database of a running ingest, one application of
# 100,000 messages among TENANTS others of 100,000 each (their messages interleaved in time) and
# one of 100, times 30 requests of each page (median, 90th percentile), then deletes what it seeded.
#   DATABASE_URL=postgres://… API=http://127.0.0.1:8080 TOKEN=<admin token> bash scripts/bench/message-log.sh
set -euo pipefail
: "${DATABASE_URL:?}" "${API:?}" "${TOKEN:?}"
TENANTS=${TENANTS:-4}
PSQL=(psql "$DATABASE_URL" -qtAX -v ON_ERROR_STOP=1)
command -v psql >/dev/null || PSQL[0]=$(ls /usr/lib/postgresql/*/bin/psql | tail -1)
app() { "${PSQL[@]}" -c "INSERT INTO applications (name) VALUES ('bench-message-log-$1') RETURNING id" | head -1; }
# Time-ordered ids (UUIDv7, as ingest makes them), one message a second back from now.
seed() {
  "${PSQL[@]}" -c "INSERT INTO messages (id, application_id, event_type, payload, created_at)
    SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 16, 3) || '-' || substr(r, 20))::uuid, '$1', 'bench.paging', jsonb_build_object('n', g), at
    FROM generate_series(1, $2) g,
      LATERAL (SELECT now() - (g || ' seconds')::interval - ($3 || ' milliseconds')::interval AS at) t,
      LATERAL (SELECT lpad(to_hex((extract(epoch FROM t.at) * 1000)::bigint), 12, '0') AS h, gen_random_uuid()::text AS r) v" >/dev/null
}
cleanup() { "${PSQL[@]}" -c "DELETE FROM applications WHERE name LIKE 'bench-message-log-%'" >/dev/null; }
trap cleanup EXIT
BIG=$(app big); seed "$BIG" 100000 0
for t in $(seq "$TENANTS"); do seed "$(app "other-$t")" 100000 "$((t * 100))"; done
SMALL=$(app small); seed "$SMALL" 100 50
"${PSQL[@]}" -c 'ANALYZE messages' >/dev/null
DEEP=$("${PSQL[@]}" -c "SELECT id FROM messages WHERE application_id = '$BIG' ORDER BY id DESC OFFSET 90000 LIMIT 1")
page() {
  local url="$API/api/v1/app/$1/msg?limit=50&with_content=false${2:+&iterator=$2}"
  curl -sf -o /dev/null -H "authorization: Bearer $TOKEN" "$url" # warm
  for _ in $(seq 30); do curl -sf -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $TOKEN" "$url"; done |
    sort -n | awk '{ a[NR] = $1 } END { printf "median %.1f ms, p90 %.1f ms\n", a[int(NR / 2) + 1] * 1000, a[int(NR * 0.9)] * 1000 }'
}
echo "messages in the table: $("${PSQL[@]}" -c 'SELECT count(*) FROM messages')"
echo "small application (100), first page:          $(page "$SMALL" '')"
echo "big application (100,000), first page:       $(page "$BIG" '')"
echo "big application, the page after its 90,000th: $(page "$BIG" "$DEEP")"
