#!/usr/bin/env bash
# Local Jaeger all-in-one (in-memory storage) to see a local run's traces.
# Usage: scripts/stack/jaeger.sh start|stop|status|binary
# start prints one line, OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>, on stdout;
# everything else goes to stderr. Every listener binds to 127.0.0.1. The UI and its HTTP API
# (/api/services, /api/traces?service=...) are on 127.0.0.1:16686.
set -euo pipefail

JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_VERSION=v1.75.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The binary lives outside the repo so a fresh clone or `git clean` does not rebuild it.
BIN_DIR="${HOOKLINE_CACHE_DIR:-${HOME:?}/.cache/hookline}/bin"
BIN="$BIN_DIR/jaeger-all-in-one-$JAEGER_VERSION"
STATE="$ROOT/.local/jaeger"
LOG_FILE="$STATE/jaeger.log"
PID_FILE="$STATE/jaeger.pid"
OTLP_HTTP_PORT="${HOOKLINE_JAEGER_OTLP_PORT:-4318}"
UI_PORT="${HOOKLINE_JAEGER_UI_PORT:-16686}"
# Jaeger's other listeners, kept on loopback too.
OTLP_GRPC_PORT=4317 COLLECTOR_GRPC_PORT=14250 COLLECTOR_HTTP_PORT=14268 ADMIN_PORT=14269 QUERY_GRPC_PORT=16685
START_TIMEOUT=60
STOP_TIMEOUT=20
BUILD_LOCK_TIMEOUT=1200

NAME=jaeger
PROCESS_PATTERN='jaeger-all-in-one-'
source "$ROOT/scripts/stack/component.sh"

# Build the all-in-one binary once from the Go module. `go install module/cmd/all-in-one@version`
# refuses Jaeger's module (its go.mod has a replace directive), so build inside the downloaded
# module instead, where go.mod and go.sum apply as they do for Jaeger's own release builds.
ensure_binary() {
  local dir tmp started=$SECONDS
  [[ -x "$BIN" ]] && return 0
  command -v go >/dev/null || die "go not found (needed once to build Jaeger $JAEGER_VERSION)"
  log "building Jaeger $JAEGER_VERSION all-in-one into $BIN (first run only; takes minutes)"
  dir="$(go mod download -json "$JAEGER_MODULE@$JAEGER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -f "$dir/go.mod" ]] || die "go mod download $JAEGER_MODULE@$JAEGER_VERSION failed"
  mkdir -p "$BIN_DIR"
  # Build to a temp name and move it in, so an interrupted build never looks complete.
  tmp="$BIN.tmp.$$"
  (cd "$dir" && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -o "$tmp" ./cmd/all-in-one) >&2 \
    || { rm -f "$tmp"; die "go build of $JAEGER_MODULE/cmd/all-in-one@$JAEGER_VERSION failed"; }
  mv -f "$tmp" "$BIN"
  log "built in $((SECONDS - started))s"
}

# Ready = the admin health check answers and the OTLP and UI ports accept connections.
answers() {
  port_open "$OTLP_HTTP_PORT" && port_open "$UI_PORT" \
    && curl -fsS "http://127.0.0.1:$ADMIN_PORT/" 2>/dev/null | grep -q 'Server available'
}

show_logs() {
  log "--- tail of $LOG_FILE ---"
  tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
}

cmd_start() {
  local endpoint="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_HTTP_PORT"
  # A build can take minutes: a concurrent start waits for it.
  take_start_lock "$BUILD_LOCK_TIMEOUT"
  if reuse_running "$endpoint"; then return 0; fi
  ensure_binary
  ensure_ports_free "$OTLP_HTTP_PORT" "$UI_PORT" "$OTLP_GRPC_PORT" "$COLLECTOR_GRPC_PORT" "$COLLECTOR_HTTP_PORT" "$ADMIN_PORT" "$QUERY_GRPC_PORT"
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
  # env -u: Jaeger must not read the OTEL_* meant for Hookline.
  launch "$LOG_FILE" \
    env -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT -u OTEL_EXPORTER_OTLP_PROTOCOL \
    SPAN_STORAGE_TYPE=memory \
    "$BIN" \
    --memory.max-traces=50000 \
    --collector.otlp.enabled=true \
    --collector.otlp.http.host-port="127.0.0.1:$OTLP_HTTP_PORT" \
    --collector.otlp.grpc.host-port="127.0.0.1:$OTLP_GRPC_PORT" \
    --collector.grpc-server.host-port="127.0.0.1:$COLLECTOR_GRPC_PORT" \
    --collector.http-server.host-port="127.0.0.1:$COLLECTOR_HTTP_PORT" \
    --admin.http.host-port="127.0.0.1:$ADMIN_PORT" \
    --query.http-server.host-port="127.0.0.1:$UI_PORT" \
    --query.grpc-server.host-port="127.0.0.1:$QUERY_GRPC_PORT"
  await_launched "OTLP on 127.0.0.1:$OTLP_HTTP_PORT and the UI on 127.0.0.1:$UI_PORT"
  log "ready; UI at http://127.0.0.1:$UI_PORT"
  echo "$endpoint"
}

cmd_stop() { stop_launched; }

running_detail() {
  local pid
  pid="$(running_pid)" && echo "(pid $pid): OTLP http://127.0.0.1:$OTLP_HTTP_PORT, UI http://127.0.0.1:$UI_PORT"
}

# binary: builds it if needed and prints HOOKLINE_JAEGER_BIN=<path> on stdout (npm test's traces
# test runs a Jaeger of its own from it, on ports of its own).
if [[ "${1:-}" == binary ]]; then
  take_start_lock "$BUILD_LOCK_TIMEOUT"
  ensure_binary
  echo "HOOKLINE_JAEGER_BIN=$BIN"
  exit 0
fi
component_main "$@"
