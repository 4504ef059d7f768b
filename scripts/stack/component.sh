# Sourced by kafka.sh, postgres.sh and jaeger.sh: what the scripts of the local stack's components
# share. The sourcing script sets NAME (its log prefix and script name) and STATE (its state
# directory), defines cmd_start, cmd_stop and running_detail (how it runs, or a failure when it
# does not), then ends with `component_main "$@"`. A component run from a pid file also sets
# PID_FILE, PROCESS_PATTERN (a part of its command line, which guards against pid reuse),
# START_TIMEOUT and STOP_TIMEOUT, and defines answers (whether it is ready) and show_logs.

log() { echo "$NAME: $*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_ports_free() {
  local p
  for p in "$@"; do
    ! port_open "$p" || die "port $p is already in use by another process"
  done
}

# Serialise concurrent starts (e.g. two test runs) so only one instance is launched; waits at
# most $1 seconds for another start to finish.
take_start_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/start.lock"
  flock -w "$1" 9 || die "timed out waiting for another $NAME.sh start"
}

# kill -0 also succeeds on a zombie (our own unreaped child), so check the state too.
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

# Pid of our process if it is alive; checking the command line guards against pid reuse.
running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PROCESS_PATTERN" || return 1
  echo "$pid"
}

# Waits until the component launched as pid $1 answers, START_TIMEOUT seconds at most; fails at
# once if it exits.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    alive "$pid" || { log "exited during startup"; return 1; }
    if answers; then return 0; fi
    sleep 0.5
  done
  log "not ready after ${START_TIMEOUT}s"
  return 1
}

# A start finds one running: it is reused once ready, and its line ($1) printed. Fails when
# none runs (clearing a stale pid file), so that the caller starts one.
reuse_running() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    return 1
  fi
  wait_ready "$pid" || { show_logs; exit 1; }
  log "already running (pid $pid), reusing it"
  echo "$1"
}

# Runs the command "$@" in the background with its output in $1, recording its pid in PID_FILE.
# setsid: own session/process group, detached from the caller's terminal; the inner shell writes
# its own pid, then execs the command so that pid is the component's. 9>&- keeps the start lock
# from being inherited (and held) by it.
launch() {
  local output="$1"
  shift
  # shellcheck disable=SC2016  # $$ and $@ expand in the inner shell, on purpose
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "$@" </dev/null >"$output" 2>&1 9>&- &
  # Wait for the inner shell to record the pid.
  for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
}

# After launch: waits until the component is ready, or shows its logs, stops it and exits 1.
await_launched() {
  local pid
  pid="$(<"$PID_FILE")"
  log "started pid $pid, waiting for $1"
  if ! wait_ready "$pid"; then
    show_logs
    cmd_stop
    exit 1
  fi
}

# cmd_stop of a component run from a pid file: SIGTERM, then SIGKILL after STOP_TIMEOUT seconds.
stop_launched() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((STOP_TIMEOUT * 2))); do
    alive "$pid" || break
    sleep 0.5
  done
  if alive "$pid"; then
    log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local detail
  if detail="$(running_detail)"; then
    log "running $detail"
  else
    log "not running"
    return 1
  fi
}

component_main() {
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
  esac
}
