#!/usr/bin/env bash
# A real goccy/bigquery-emulator for Hekate's tests, built with Go from the module pinned in
# test/services/bigquery/ (go.mod, go.sum, tools.go), without Docker. See test/services/README.md.
#
#   bigquery.sh build [--force]   build the emulator into the cache (skipped when the binary
#                                 exists and is executable, unless --force)
#   bigquery.sh start             start it on 127.0.0.1 (in-memory, project "test");
#                                 prints the REST endpoint (http://127.0.0.1:<port>)
#   bigquery.sh stop              SIGTERM, wait up to 20 s, then SIGKILL
#   bigquery.sh status            exit 0 and print the endpoint when running, else exit 3
#
# Environment:
#   BQ_PORT (19050, REST), BQ_GRPC_PORT (19060, Storage API gRPC), BQ_PROJECT (test)
#   BQ_LOG_LEVEL (info), BQ_START_TIMEOUT (60 s)
#   BQ_GO_BUILD_PARALLEL (1: `go build -p`; 1 keeps peak memory lower, several GB anyway)
#   HEKATE_CACHE_DIR ($HOME/.cache/hekate)   binary in bin/bigquery-emulator
#   HEKATE_RUN_DIR (/tmp/hekate-services)    run dir bigquery/ (emulator.out, emulator.pid)
set -euo pipefail

SVC_NAME=bigquery
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

MODULE_DIR="$HERE/bigquery"
BQ_EMULATOR_PKG="github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"
BQ_EMULATOR_VERSION="$(sed -n 's:^require github\.com/goccy/bigquery-emulator \(v[^ ]*\)$:\1:p' "$MODULE_DIR/go.mod" | head -n 1)"
[[ -n "$BQ_EMULATOR_VERSION" ]] || BQ_EMULATOR_VERSION="$(awk '$1 == "github.com/goccy/bigquery-emulator" {print $2; exit}' "$MODULE_DIR/go.mod")"
[[ -n "$BQ_EMULATOR_VERSION" ]] || { printf '[bigquery] ERROR: cannot read the emulator version from %s\n' "$MODULE_DIR/go.mod" >&2; exit 1; }
GO_MIN_MINOR=25 # the emulator's go.mod says `go 1.25.0`

BIN_DIR="$HEKATE_CACHE_DIR/bin"
BIN="$BIN_DIR/bigquery-emulator"
RUN="$HEKATE_RUN_DIR/bigquery"
PIDFILE="$RUN/emulator.pid"
ENDPOINT_FILE="$RUN/endpoint"
OUT="$RUN/emulator.out"
START_TIMEOUT="${BQ_START_TIMEOUT:-60}"
STOP_GRACE=20

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

check_go() {
  command -v go >/dev/null 2>&1 ||
    svc_die "go not found. Building goccy/bigquery-emulator $BQ_EMULATOR_VERSION needs Go >= 1.$GO_MIN_MINOR (https://go.dev/dl/), or put a prebuilt binary at $BIN"
  local ver major minor
  ver="$(go env GOVERSION 2>/dev/null || true)"
  [[ -n "$ver" ]] || ver="$(go version | awk '{print $3}')"
  if [[ "$ver" =~ ^go([0-9]+)\.([0-9]+) ]]; then
    major="${BASH_REMATCH[1]}"
    minor="${BASH_REMATCH[2]}"
    if ((major > 1 || (major == 1 && minor >= GO_MIN_MINOR))); then
      return 0
    fi
  fi
  svc_die "$ver is too old. Building goccy/bigquery-emulator $BQ_EMULATOR_VERSION needs Go >= 1.$GO_MIN_MINOR (https://go.dev/dl/)"
}

binary_ok() { [[ -f "$BIN" && -x "$BIN" ]]; }

cmd_build() {
  local force=0 arg
  for arg in "$@"; do
    case "$arg" in
      --force) force=1 ;;
      *) svc_log "unknown option for build: $arg"; usage ;;
    esac
  done
  if binary_ok && ((!force)); then
    svc_log "emulator binary cached at $BIN"
    return 0
  fi
  check_go
  mkdir -p -- "$BIN_DIR"
  local tmp="$BIN.tmp.$$" t0 rc=0 log
  log="$BIN_DIR/.build-$$.log"
  svc_log "building goccy/bigquery-emulator $BQ_EMULATOR_VERSION with $(go env GOVERSION) (first run only:"
  svc_log "  several minutes on 2 cores and a few GB of RAM; the Go module proxy must be reachable) ..."
  t0="$(now_ms)"
  local timeout_cmd=()
  if command -v timeout >/dev/null 2>&1; then timeout_cmd=(timeout 3600); fi
  # Pure Go since v0.7 (no cgo, no clang). Built from the committed go.mod/go.sum only:
  # -mod=readonly fails instead of silently changing the pinned versions.
  (
    cd "$MODULE_DIR"
    CGO_ENABLED=0 ${timeout_cmd[@]+"${timeout_cmd[@]}"} go build -mod=readonly \
      -p "${BQ_GO_BUILD_PARALLEL:-1}" \
      -ldflags="-s -w -X main.version=$BQ_EMULATOR_VERSION -X main.revision=hekate" \
      -o "$tmp" "$BQ_EMULATOR_PKG"
  ) >"$log" 2>&1 || rc=$?
  if ((rc != 0)) || [[ ! -x "$tmp" ]]; then
    tail_log "$log" 60
    rm -f -- "$tmp"
    svc_die "go build failed (exit $rc; log $log). If a module download failed: the Go module proxy must be reachable on the first run."
  fi
  mv -f -- "$tmp" "$BIN"
  rm -f -- "$log"
  svc_log "built $BIN ($(du -h "$BIN" | cut -f1)) in $((($(now_ms) - t0) / 1000)) s"
}

STARTING_PID=""
abort_start() {
  trap - INT TERM
  if [[ -n "$STARTING_PID" ]]; then
    svc_log "interrupted while starting; stopping pid $STARTING_PID"
    stop_pid "$STARTING_PID" 5 || true
    rm -f -- "$PIDFILE"
  fi
  exit 130
}

# http_ok URL: true on an HTTP 200 (curl when present, else a bare request over /dev/tcp).
http_ok() {
  local url="$1"
  if command -v curl >/dev/null 2>&1; then
    [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true)" == 200 ]]
    return
  fi
  local hostport="${url#http://}" path
  path="/${hostport#*/}"
  hostport="${hostport%%/*}"
  local status
  status="$(
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
    timeout 2 head -n 1 <&3 2>/dev/null || true
  )" 2>/dev/null || true
  [[ "$status" == *" 200"* ]]
}

cmd_start() {
  (($# == 0)) || { svc_log "start takes no options"; usage; }
  local pid
  pid="$(service_pid "$PIDFILE" "$BIN")"
  if [[ -n "$pid" ]]; then
    svc_die "already running (pid $pid) at $(cat "$ENDPOINT_FILE" 2>/dev/null || echo '?'); run '$0 stop' first"
  fi

  cmd_build

  local port="${BQ_PORT:-19050}" gport="${BQ_GRPC_PORT:-19060}" project="${BQ_PROJECT:-test}" p
  for p in "$port" "$gport"; do
    [[ "$p" =~ ^[0-9]+$ ]] || svc_die "invalid port '$p'"
    if port_in_use "$p"; then
      svc_die "127.0.0.1:$p is already in use (another emulator?). Stop it, or set BQ_PORT / BQ_GRPC_PORT"
    fi
  done

  local t0
  t0="$(now_ms)"
  prepare_run_dir "$RUN" 0
  local endpoint="http://127.0.0.1:$port"
  printf '%s\n' "$endpoint" >"$ENDPOINT_FILE"
  : >"$OUT"

  trap abort_start INT TERM
  spawn_detached "$PIDFILE" "$OUT" "$BIN" \
    --project="$project" --host=127.0.0.1 --port="$port" --grpc-port="$gport" \
    --log-level="${BQ_LOG_LEVEL:-info}"
  STARTING_PID="$(read_pid "$PIDFILE")"

  local deadline=$((t0 + START_TIMEOUT * 1000))
  while :; do
    if grep -q 'REST server listening' "$OUT" 2>/dev/null || http_ok "$endpoint/discovery/v1/apis/bigquery/v2/rest"; then
      break
    fi
    if ! pid_alive "$STARTING_PID"; then
      tail_log "$OUT" 60
      rm -f -- "$PIDFILE"
      svc_die "the emulator exited during start-up (log: $OUT)"
    fi
    if (($(now_ms) > deadline)); then
      tail_log "$OUT" 60
      stop_pid "$STARTING_PID" 5 || true
      rm -f -- "$PIDFILE"
      svc_die "the emulator was not ready within ${START_TIMEOUT}s (log: $OUT)"
    fi
    sleep 0.1
  done
  # The ready line is printed as the listeners are bound; confirm the port answers.
  deadline=$(($(now_ms) + 10000))
  until port_in_use "$port"; do
    (($(now_ms) < deadline)) || svc_die "the emulator logged ready but 127.0.0.1:$port does not accept connections"
    sleep 0.1
  done
  trap - INT TERM
  svc_log "bigquery-emulator $BQ_EMULATOR_VERSION ready at $endpoint, project $project (pid $STARTING_PID, $(($(now_ms) - t0)) ms)"
  printf '%s\n' "$endpoint"
}

cmd_stop() {
  stop_service "$PIDFILE" "$BIN" "$STOP_GRACE"
}

cmd_status() {
  local pid
  pid="$(service_pid "$PIDFILE" "$BIN")"
  if [[ -n "$pid" ]]; then
    printf 'bigquery-emulator %s: running (pid %s) at %s\n' "$BQ_EMULATOR_VERSION" "$pid" "$(cat "$ENDPOINT_FILE" 2>/dev/null || echo '?')"
    return 0
  fi
  printf 'bigquery-emulator %s: not running\n' "$BQ_EMULATOR_VERSION"
  return 3
}

case "${1:-}" in
  build) shift; cmd_build "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) usage ;;
esac
