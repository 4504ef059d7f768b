# Sourced by the entry scripts: brings up what the services need and takes down only what it
# started. Given KAFKA_BROKERS or DATABASE_URL, that dependency is used as it is.
STACK_STARTED=()

stack_up() {
  local here kafka_out pg_out kafka_pid pg_pid
  here="$(dirname "${BASH_SOURCE[0]}")"
  kafka_out="$(mktemp)" pg_out="$(mktemp)"
  # Kafka and PostgreSQL start in parallel: the JVM start is the slow part.
  # One already running (another `npm start` or `npm test`) is shared, and left running.
  if [[ -z "${KAFKA_BROKERS:-}" ]]; then
    bash "$here/kafka.sh" status >/dev/null 2>&1 || STACK_STARTED+=(kafka)
    bash "$here/kafka.sh" start >"$kafka_out" & kafka_pid=$!
  fi
  if [[ -z "${DATABASE_URL:-}" ]]; then
    bash "$here/postgres.sh" status >/dev/null 2>&1 || STACK_STARTED+=(postgres)
    bash "$here/postgres.sh" start >"$pg_out" & pg_pid=$!
  fi
  if [[ -n "${kafka_pid:-}" ]]; then
    wait "$kafka_pid" || { echo "hookline: Kafka did not start" >&2; return 1; }
    export "$(grep '^KAFKA_BROKERS=' "$kafka_out")"
  fi
  if [[ -n "${pg_pid:-}" ]]; then
    wait "$pg_pid" || { echo "hookline: PostgreSQL did not start" >&2; return 1; }
    export "$(grep '^DATABASE_URL=' "$pg_out")"
  fi
  rm -f "$kafka_out" "$pg_out"
}

stack_down() {
  local here component
  here="$(dirname "${BASH_SOURCE[0]}")"
  for component in "${STACK_STARTED[@]}"; do
    bash "$here/$component.sh" stop || true
  done
  STACK_STARTED=()
}

# HOOKLINE_TRACING=jaeger (npm start): a local Jaeger receives the spans over OTLP, unless
# OTEL_EXPORTER_OTLP_ENDPOINT already points somewhere. One already running is shared, and left
# running. Sets JAEGER_UI_URL for the banner.
tracing_up() {
  local here out
  here="$(dirname "${BASH_SOURCE[0]}")"
  case "${HOOKLINE_TRACING:-}" in
    '') return 0 ;;
    jaeger) ;;
    *) echo "hookline: HOOKLINE_TRACING='$HOOKLINE_TRACING' is not supported (use 'jaeger', or leave it unset)" >&2; return 1 ;;
  esac
  if [[ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
    echo "hookline: OTEL_EXPORTER_OTLP_ENDPOINT is set ($OTEL_EXPORTER_OTLP_ENDPOINT): not starting Jaeger" >&2
    return 0
  fi
  bash "$here/jaeger.sh" status >/dev/null 2>&1 || STACK_STARTED+=(jaeger)
  out="$(bash "$here/jaeger.sh" start)" || { echo "hookline: Jaeger did not start" >&2; return 1; }
  export "$(grep '^OTEL_EXPORTER_OTLP_ENDPOINT=' <<<"$out")"
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  # shellcheck disable=SC2034  # read by scripts/start.sh
  JAEGER_UI_URL="http://127.0.0.1:${HOOKLINE_JAEGER_UI_PORT:-16686}"
  # The console draws each message's trace from Jaeger's query API.
  export HOOKLINE_TRACE_QUERY_URL="${HOOKLINE_TRACE_QUERY_URL:-$JAEGER_UI_URL}"
}
