#!/usr/bin/env bash
# Local PostgreSQL cluster for dev and tests, kept under the repo's .local/postgres.
# Usage: scripts/stack/postgres.sh start|stop|status
# start prints one line, DATABASE_URL=postgres://..., on stdout; everything else goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# HOOKLINE_PG_STATE_DIR (with HOOKLINE_PG_PORT) runs a second cluster beside the usual one, as the
# chaos test does to restart its own.
STATE="${HOOKLINE_PG_STATE_DIR:-$ROOT/.local/postgres}"
DATA="$STATE/data"
RUN="$STATE/run"
LOG="$STATE/postgres.log"
PORT="${HOOKLINE_PG_PORT:-15432}"
# HOOKLINE_PG_SSL_CERT_FILE and HOOKLINE_PG_SSL_KEY_FILE (PEM) turn on ssl with that certificate
# (test/integration/database-tls.int.spec.ts); plain connections are still accepted.
SSL_CERT="${HOOKLINE_PG_SSL_CERT_FILE:-}"
SSL_KEY="${HOOKLINE_PG_SSL_KEY_FILE:-}"
APP_USER=hookline
APP_PASSWORD=hookline
NAME=postgres
source "$ROOT/scripts/stack/component.sh"

# pg_config/PATH may name only the client (Debian's wrappers), so look for the server itself.
find_bindir() {
  local d
  for d in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -rV); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

if ! BIN="$(find_bindir)"; then
  [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found; install the 'postgresql' package"
  log "installing PostgreSQL server (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN="$(find_bindir)" || die "PostgreSQL installed but no initdb under /usr/lib/postgresql/*/bin"
fi

# initdb and postgres refuse to run as root, so root runs the cluster as a system user.
if [[ $EUID -eq 0 ]]; then
  if id postgres >/dev/null 2>&1; then
    PG_USER=postgres
  else
    id "$APP_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$APP_USER"
    PG_USER="$APP_USER"
  fi
else
  PG_USER="$(id -un)"
fi

# Run a server tool as the cluster owner, from a dir it can enter (avoids cwd warnings).
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd "$STATE" && runuser -u "$PG_USER" -- "$@")
  else
    (cd "$STATE" && "$@")
  fi
}

pg_running() { [[ -f "$DATA/PG_VERSION" ]] && as_pg "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

prepare_dirs() {
  mkdir -p "$DATA" "$RUN"
  touch "$LOG"
  if [[ $EUID -eq 0 ]]; then
    # Fail rather than loosen permissions on directories we do not own.
    runuser -u "$PG_USER" -- test -x "$ROOT" \
      || die "user '$PG_USER' cannot reach $ROOT: a parent directory is not traversable (needs o+x); fix that or move the repo"
    chown "$PG_USER:" "$DATA" "$RUN" "$LOG"
  fi
  chmod 700 "$DATA"
}

ensure_initdb() {
  [[ -f "$DATA/PG_VERSION" ]] && return 0
  log "initdb in $DATA (as $PG_USER)"
  as_pg "$BIN/initdb" -D "$DATA" --auth=trust --username=postgres \
    --encoding=UTF8 --locale=C --no-instructions >/dev/null
}

# Idempotent: create the app role and databases only when missing.
ensure_app_db() {
  "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U postgres -d postgres >&2 <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$APP_USER', '$APP_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_USER')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, '$APP_USER')
  FROM unnest(ARRAY['hookline', 'hookline_test']) AS d
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)\gexec
SQL
}

# The server reads its key only if the cluster owner alone can: copies it owns, in the state dir.
ssl_options() {
  [[ -n "$SSL_CERT" && -n "$SSL_KEY" ]] || return 0
  local dir="$STATE/tls"
  mkdir -p "$dir"
  cp "$SSL_CERT" "$dir/server.crt"
  cp "$SSL_KEY" "$dir/server.key"
  chmod 600 "$dir/server.key"
  [[ $EUID -eq 0 ]] && chown -R "$PG_USER:" "$dir"
  echo " -c ssl=on -c ssl_cert_file='$dir/server.crt' -c ssl_key_file='$dir/server.key'"
}

cmd_start() {
  take_start_lock 120
  if pg_running; then
    log "already running, reusing it"
  else
    ensure_ports_free "$PORT"
    prepare_dirs
    ensure_initdb
    log "starting on 127.0.0.1:$PORT${SSL_CERT:+ with ssl}"
    # Settings go on the command line so a changed HOOKLINE_PG_PORT applies on the next start;
    # 9>&- keeps the start lock from being inherited (and held) by the postmaster.
    if ! as_pg "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $PORT -k '$RUN' -c max_connections=200 -c shared_buffers=128MB$(ssl_options)" >&2 9>&-; then
      tail -n 30 "$LOG" >&2 || true
      die "pg_ctl start failed (log: $LOG)"
    fi
  fi
  ensure_app_db
  echo "DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PORT/hookline"
}

cmd_stop() {
  if ! pg_running; then
    log "not running"
    return 0
  fi
  as_pg "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >&2
}

running_detail() {
  pg_running && echo "on 127.0.0.1:$PORT"
}

component_main "$@"
