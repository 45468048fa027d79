# shellcheck shell=bash
# Shared helpers for test/services/kafka.sh and test/services/bigquery.sh.
# Sourced, not executed. Progress goes to stderr; stdout is kept for results
# (e.g. `kafka.sh start` prints only the bootstrap address on stdout).

HEKATE_CACHE_DIR="${HEKATE_CACHE_DIR:-${HOME:?HOME is not set}/.cache/hekate}"
HEKATE_RUN_DIR="${HEKATE_RUN_DIR:-/tmp/hekate-services}"

# The marker file that says "this directory was created by these scripts", so that
# a fresh start may delete it. Nothing else is ever deleted.
SVC_MARKER=".hekate-service-dir"

svc_log() { printf '[%s] %s\n' "${SVC_NAME:-services}" "$*" >&2; }
svc_die() {
  printf '[%s] ERROR: %s\n' "${SVC_NAME:-services}" "$*" >&2
  exit 1
}

# now_ms: wall clock in milliseconds (bash 5 has EPOCHREALTIME).
now_ms() {
  local t="${EPOCHREALTIME:-}"
  if [[ -n "$t" ]]; then
    t="${t/./}"
    printf '%s\n' "$((t / 1000))"
  else
    printf '%s\n' "$(($(date +%s) * 1000))"
  fi
}

# port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PID: true when the process exists (and is not a zombie).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/stat" ]]; then
    state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ "$state" != "Z" ]] || return 1
  fi
  return 0
}

# pid_cmdline_has PID STRING: the process' command line contains STRING.
# Guards against signalling an unrelated process that reused a stale PID.
# Where /proc is not available the check is skipped (returns true).
pid_cmdline_has() {
  local pid="$1" needle="$2"
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$needle"
}

# read_pid FILE: prints the PID recorded in FILE, or nothing.
read_pid() {
  [[ -f "$1" ]] || return 0
  local pid
  pid="$(head -n 1 "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
  return 0
}

# service_pid PIDFILE NEEDLE: prints the PID when the recorded process is alive and
# its command line contains NEEDLE; prints nothing otherwise.
service_pid() {
  local pid
  pid="$(read_pid "$1")"
  if [[ -n "$pid" ]] && pid_alive "$pid" && pid_cmdline_has "$pid" "$2"; then
    printf '%s\n' "$pid"
  fi
  return 0
}

# stop_pid PID TERM_SECONDS: SIGTERM, wait up to TERM_SECONDS, then SIGKILL and wait up
# to 10 s more. Returns 0 once the process is gone.
stop_pid() {
  local pid="$1" grace="$2" deadline
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(($(now_ms) + grace * 1000))
  while pid_alive "$pid" && (($(now_ms) < deadline)); do sleep 0.2; done
  if pid_alive "$pid"; then
    svc_log "pid $pid still alive after ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$(($(now_ms) + 10000))
    while pid_alive "$pid" && (($(now_ms) < deadline)); do sleep 0.1; done
  fi
  ! pid_alive "$pid"
}

# stop_service PIDFILE NEEDLE GRACE [NOTE]: stops the service recorded in PIDFILE (see
# service_pid) with stop_pid, removes PIDFILE, and logs it (NOTE is appended to the log line).
stop_service() {
  local pidfile="$1" needle="$2" grace="$3" note="${4:-}" pid t0
  pid="$(service_pid "$pidfile" "$needle")"
  if [[ -z "$pid" ]]; then
    rm -f -- "$pidfile"
    svc_log "not running"
    return 0
  fi
  t0="$(now_ms)"
  stop_pid "$pid" "$grace" || svc_die "could not stop pid $pid"
  rm -f -- "$pidfile"
  svc_log "stopped (pid $pid, $(($(now_ms) - t0)) ms)$note"
}

# spawn_detached PIDFILE OUTFILE CMD...: starts CMD in its own session (so a Ctrl-C
# in the terminal that ran the script does not reach it; the scripts stop it), with
# stdin from /dev/null and stdout+stderr appended to OUTFILE. The PID of CMD itself
# (not of a wrapper) is written to PIDFILE.
spawn_detached() {
  local pidfile="$1" outfile="$2"
  shift 2
  rm -f "$pidfile"
  local launcher=()
  if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
  # The inner bash records its own PID, then execs CMD, so the PID stays CMD's.
  # shellcheck disable=SC2016 # $$ and $1 expand in the inner bash
  ${launcher[@]+"${launcher[@]}"} bash -c 'echo "$$" >"$1.tmp" && mv -f "$1.tmp" "$1"; shift; exec "$@"' \
    hekate-spawn "$pidfile" "$@" </dev/null >>"$outfile" 2>&1 &
  # Wait (bounded) for the PID file so callers can rely on it.
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  svc_die "process did not record its PID in $pidfile"
}

# prepare_run_dir DIR KEEP: creates DIR (with the marker). Unless KEEP is 1, an existing
# DIR is emptied first, but only if it carries the marker (never someone else's dir).
prepare_run_dir() {
  local dir="$1" keep="$2"
  if [[ -e "$dir" && "$keep" != 1 ]]; then
    if [[ -f "$dir/$SVC_MARKER" ]]; then
      rm -rf -- "$dir"
    elif [[ -d "$dir" && -z "$(ls -A -- "$dir")" ]]; then
      rmdir -- "$dir"
    else
      svc_die "$dir exists and was not created by these scripts; remove it or set HEKATE_RUN_DIR"
    fi
  fi
  mkdir -p -- "$dir"
  : >"$dir/$SVC_MARKER"
}

# tail_log FILE [N]: shows the last lines of a log on stderr (for failures).
tail_log() {
  local file="$1" n="${2:-40}"
  if [[ -f "$file" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$file" >&2
    tail -n "$n" -- "$file" >&2 || true
    printf -- '-----\n' >&2
  fi
}
