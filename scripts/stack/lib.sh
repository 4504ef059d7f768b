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
