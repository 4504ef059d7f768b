#!/usr/bin/env bash
# npm start: everything a fresh clone needs to run Hookline on this machine. Installs the
# dependencies, builds, starts Kafka and PostgreSQL (unless KAFKA_BROKERS / DATABASE_URL are
# given), migrates the database, runs the four services, and on Ctrl-C or SIGTERM stops all
# it started. HOOKLINE_TRACING=jaeger also runs a local Jaeger for the traces (scripts/stack/jaeger.sh).
# The build includes the operator console and app portal, which ingest serves on the API's port.
#
# A local run listens on 127.0.0.1 only (HOOKLINE_LISTEN_HOST moves it), and its ports are
# HOOKLINE_API_PORT (8080) and HOOKLINE_{FANOUT,DELIVERY,RETRY}_HEALTH_PORT (8081-8083), so that a
# second stack can run beside the first on ports of its own (with HOOKLINE_KAFKA_PORT and
# HOOKLINE_PG_PORT, or KAFKA_BROKERS and DATABASE_URL). The admin token and the secrets key it
# keeps in .local/ are readable by their owner only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/local-secret.sh
source scripts/stack/lib.sh
ensure_dependencies

SERVICES=(ingest fanout delivery retry)
declare -A HEALTH_PORT=(
  [ingest]="${HOOKLINE_API_PORT:-8080}"
  [fanout]="${HOOKLINE_FANOUT_HEALTH_PORT:-8081}"
  [delivery]="${HOOKLINE_DELIVERY_HEALTH_PORT:-8082}"
  [retry]="${HOOKLINE_RETRY_HEALTH_PORT:-8083}"
)
# Nothing outside this machine reaches a local run unless asked to.
export HOOKLINE_LISTEN_HOST="${HOOKLINE_LISTEN_HOST:-127.0.0.1}"
case "$HOOKLINE_LISTEN_HOST" in
  0.0.0.0 | ::) HOST=127.0.0.1 ;;
  *:*) HOST="[$HOOKLINE_LISTEN_HOST]" ;;
  *) HOST="$HOOKLINE_LISTEN_HOST" ;;
esac
PIDS=()

shutdown() {
  local code="${1:-0}"
  trap - INT TERM EXIT
  echo "hookline: stopping" >&2
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stack_down
  exit "$code"
}
trap shutdown INT TERM
trap "shutdown 1" EXIT

npm run --silent build
stack_up
tracing_up

mkdir -p .local
# A local run keeps its admin token across restarts; production passes its own.
if [[ -z "${HOOKLINE_ADMIN_TOKEN:-}" ]]; then
  keep_local_secret .local/admin-token "'hk_admin_' + require('crypto').randomBytes(24).toString('base64url')"
  HOOKLINE_ADMIN_TOKEN="$(cat .local/admin-token)"
fi
export HOOKLINE_ADMIN_TOKEN
# Likewise the key that encrypts endpoint secrets at rest (id:base64 of 32 random bytes).
if [[ -z "${HOOKLINE_SECRETS_KEYS:-}" ]]; then
  keep_local_secret .local/secrets-keys "'local:' + require('crypto').randomBytes(32).toString('base64')"
  HOOKLINE_SECRETS_KEYS="$(cat .local/secrets-keys)"
fi
export HOOKLINE_SECRETS_KEYS
# Local work delivers to receivers on this machine: allow plain HTTP and loopback targets.
export HOOKLINE_DELIVERY_ALLOW_HTTP="${HOOKLINE_DELIVERY_ALLOW_HTTP:-true}"
export HOOKLINE_DELIVERY_ALLOWED_SUBNETS="${HOOKLINE_DELIVERY_ALLOWED_SUBNETS:-127.0.0.0/8,::1/128}"
echo "hookline: local run: delivery allows http:// and ${HOOKLINE_DELIVERY_ALLOWED_SUBNETS} (HOOKLINE_DELIVERY_ALLOW_HTTP, HOOKLINE_DELIVERY_ALLOWED_SUBNETS)" >&2

node node_modules/typeorm/cli.js migration:run -d libs/database/dist/data-source.js >&2

for service in "${SERVICES[@]}"; do
  HOOKLINE_HEALTH_PORT="${HEALTH_PORT[$service]}" node "apps/$service/dist/main.js" &
  PIDS+=($!)
done

for service in "${SERVICES[@]}"; do
  deadline=$((SECONDS + 60))
  until curl -fsS "http://$HOST:${HEALTH_PORT[$service]}/health/ready" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "hookline: $service did not become ready within 60 s" >&2
      exit 1
    fi
    sleep 0.5
  done
done

cat >&2 <<MSG

  Hookline is running.
    API:          http://$HOST:${HEALTH_PORT[ingest]}/api/v1
    Console:      http://$HOST:${HEALTH_PORT[ingest]}/console/   (sign in with the admin token)
    App portal:   http://$HOST:${HEALTH_PORT[ingest]}/portal/    (opened by the link an application's Access page makes)
    Admin token:  ${HOOKLINE_ADMIN_TOKEN}
    Health:       $(for s in "${SERVICES[@]}"; do printf '%s :%s  ' "$s" "${HEALTH_PORT[$s]}"; done)(on $HOOKLINE_LISTEN_HOST)
    Kafka:        ${KAFKA_BROKERS}
    PostgreSQL:   ${DATABASE_URL}${JAEGER_UI_URL:+
    Jaeger UI:    ${JAEGER_UI_URL}}
  Ctrl-C stops everything.

MSG
wait -n "${PIDS[@]}" || true
echo "hookline: a service exited; stopping the rest" >&2
shutdown 1
