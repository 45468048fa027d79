#!/usr/bin/env bash
# Hekate's test orchestrator: what `npm test` runs after `tsc -b`.
#
#   bash test/run.sh [--unit] [--services=kafka,bigquery] [--list] [-- <node --test options>]
#
#   (default)     fetch/build and start a real Kafka and the BigQuery emulator (in parallel;
#                 test/services/README.md), run every test file, stop what was started.
#   --unit        start no services; KAFKA_BROKERS/BQ_ENDPOINT are unset, so integration
#                 tests skip themselves (`npm run test:unit`).
#   --services=L  start only the listed services (kafka, bigquery; comma-separated).
#   --list        print the test files in run order and exit.
#   -- ARGS       passed to `node --test`, e.g. -- --test-name-pattern=matcher
#
# Test files, in this order (each group sorted, C locale):
#   compiled tests:  packages/*/dist/test/**, plugins/*/dist/test/**, examples/*/dist/test/**
#   end-to-end:      test/**/*.test.js (plain JS, or compiled under test/)
#
# Exported to the tests (service ones only when the service runs):
#   KAFKA_BROKERS=127.0.0.1:19092  BQ_ENDPOINT=http://127.0.0.1:19050  BQ_PROJECT=test
#   HEKATE_SERVICES_DIR=<repo>/test/services (tests may run kafka.sh stop / start --keep-data)
#   METADATA_SERVER_DETECTION=none  GCE_METADATA_HOST=127.0.0.1:1  CLOUDSDK_CONFIG=<empty dir>
#   (GOOGLE_APPLICATION_CREDENTIALS and GCE_METADATA_IP are unset)
#
# Environment knobs: HEKATE_TEST_CONCURRENCY (1), HEKATE_TEST_TIMEOUT_MS (per test, 300000),
# HEKATE_TEST_RUN_TIMEOUT (whole run, seconds, 3600), HEKATE_TEST_REPORTER (tap), plus the
# services' own (KAFKA_PORT, BQ_PORT, HEKATE_CACHE_DIR, HEKATE_RUN_DIR, ...).
#
# Services that are already running (`kafka.sh status`) are reused and left running; the ones
# this script starts are stopped on exit, also on failure or Ctrl-C. Exit status: the test
# runner's (the TAP summary `# pass N` / `# fail N` is its last output), or non-zero when a
# service could not be started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SERVICES_DIR="$ROOT/test/services"

log() { printf '[test/run.sh] %s\n' "$*" >&2; }
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

unit=0
list_only=0
services="kafka,bigquery"
node_args=()
while (($#)); do
  case "$1" in
    --unit) unit=1 ;;
    --services=*) services="${1#--services=}" ;;
    --list) list_only=1 ;;
    --) shift; node_args=("$@"); break ;;
    -h | --help) usage ;;
    *) log "unknown option: $1"; usage ;;
  esac
  shift
done

# ---------------------------------------------------------------------------------------------
# Test files
# ---------------------------------------------------------------------------------------------
collect_files() {
  local root
  for root in packages plugins examples; do
    [[ -d "$root" ]] || continue
    find "$root" -path '*/node_modules' -prune -o -path '*/dist/test/*' -name '*.test.js' -type f -print |
      LC_ALL=C sort
  done
  if [[ -d test ]]; then
    find test -path '*/node_modules' -prune -o -name '*.test.js' -type f -print | LC_ALL=C sort
  fi
}
files=()
while IFS= read -r f; do files+=("$f"); done < <(collect_files | awk '!seen[$0]++')

if ((list_only)); then
  printf '%s\n' ${files[@]+"${files[@]}"}
  exit 0
fi
if ((${#files[@]} == 0)); then
  log "no test files found (did 'tsc -b' run? compiled tests live in */dist/test/)"
  exit 1
fi

# ---------------------------------------------------------------------------------------------
# Environment shared by every test: no real Google credentials, no metadata-server probes.
# ---------------------------------------------------------------------------------------------
export HEKATE_CACHE_DIR="${HEKATE_CACHE_DIR:-$HOME/.cache/hekate}"
export HEKATE_RUN_DIR="${HEKATE_RUN_DIR:-/tmp/hekate-services}"
export METADATA_SERVER_DETECTION=none
export GCE_METADATA_HOST=127.0.0.1:1
unset GCE_METADATA_IP GOOGLE_APPLICATION_CREDENTIALS
mkdir -p -- "$HEKATE_RUN_DIR/gcloud-empty"
export CLOUDSDK_CONFIG="$HEKATE_RUN_DIR/gcloud-empty"
unset KAFKA_BROKERS BQ_ENDPOINT HEKATE_SERVICES_DIR

# ---------------------------------------------------------------------------------------------
# Cleanup: stop exactly what this script started, whatever happens.
# ---------------------------------------------------------------------------------------------
started=()     # services this script started (or began starting): stopped on exit
starting=()    # name:pid of start jobs still in flight (each in its own process group)
test_pid=""    # process group of the test runner

kill_group() { kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true; }
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  trap '' INT TERM # finish the cleanup even if Ctrl-C is pressed again
  if [[ -n "$test_pid" ]] && kill -0 "$test_pid" 2>/dev/null; then
    log "stopping the test runner (pid $test_pid)"
    kill_group "$test_pid"
    wait_gone "$test_pid" 15
  fi
  local entry
  for entry in ${starting[@]+"${starting[@]}"}; do
    local pid="${entry#*:}"
    if kill -0 "$pid" 2>/dev/null; then
      log "interrupting the start of ${entry%%:*}"
      kill_group "$pid"
      wait_gone "$pid" 15
    fi
  done
  local svc
  for svc in ${started[@]+"${started[@]}"}; do
    bash "$SERVICES_DIR/$svc.sh" stop || log "could not stop $svc (see $HEKATE_RUN_DIR/$svc)"
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_s() { date +%s; }

# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------
address_file() { # the address a running service recorded in its run dir
  case "$1" in
    kafka) cat "$HEKATE_RUN_DIR/kafka/bootstrap" 2>/dev/null || true ;;
    bigquery) cat "$HEKATE_RUN_DIR/bigquery/endpoint" 2>/dev/null || true ;;
  esac
}

declare -A address=()
if ((!unit)); then
  t0="$(now_s)"
  IFS=',' read -r -a wanted <<<"$services"
  for svc in "${wanted[@]}"; do
    case "$svc" in kafka | bigquery) ;; *) log "unknown service '$svc' (kafka, bigquery)"; exit 2 ;; esac
    if status="$(bash "$SERVICES_DIR/$svc.sh" status 2>/dev/null)"; then
      log "reusing: $status (left running afterwards)"
      address[$svc]="$(address_file "$svc")"
      continue
    fi
    started+=("$svc")
    : >"$HEKATE_RUN_DIR/$svc.address"
    # Own process group (set -m) so that cleanup can stop the whole start job, including a
    # running `go build`. Progress goes to stderr; the address comes back on stdout.
    set -m
    bash "$SERVICES_DIR/$svc.sh" start >"$HEKATE_RUN_DIR/$svc.address" </dev/null &
    starting+=("$svc:$!")
    set +m
  done

  failed=()
  for entry in ${starting[@]+"${starting[@]}"}; do
    svc="${entry%%:*}"
    rc=0
    wait "${entry#*:}" || rc=$?
    if ((rc != 0)); then
      failed+=("$svc")
    else
      address[$svc]="$(head -n 1 "$HEKATE_RUN_DIR/$svc.address")"
    fi
    rm -f -- "$HEKATE_RUN_DIR/$svc.address"
  done
  starting=()
  if ((${#failed[@]})); then
    log "could not start: ${failed[*]} (messages above). Use 'npm run test:unit' to run without services."
    exit 1
  fi

  export HEKATE_SERVICES_DIR="$SERVICES_DIR"
  if [[ -n "${address[kafka]:-}" ]]; then export KAFKA_BROKERS="${address[kafka]}"; fi
  if [[ -n "${address[bigquery]:-}" ]]; then
    export BQ_ENDPOINT="${address[bigquery]}"
    export BQ_PROJECT="${BQ_PROJECT:-test}"
  fi
  log "services ready in $(($(now_s) - t0)) s: KAFKA_BROKERS=${KAFKA_BROKERS:-unset} BQ_ENDPOINT=${BQ_ENDPOINT:-unset}"
else
  log "--unit: no services; integration tests skip themselves"
fi

# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
concurrency="${HEKATE_TEST_CONCURRENCY:-1}"
log "running ${#files[@]} test files (concurrency $concurrency)"
watchdog=()
if command -v timeout >/dev/null 2>&1; then
  watchdog=(timeout --kill-after=30 "${HEKATE_TEST_RUN_TIMEOUT:-3600}")
fi
set -m
${watchdog[@]+"${watchdog[@]}"} node --test \
  --test-concurrency="$concurrency" \
  --test-reporter="${HEKATE_TEST_REPORTER:-tap}" \
  --test-timeout="${HEKATE_TEST_TIMEOUT_MS:-300000}" \
  ${node_args[@]+"${node_args[@]}"} \
  "${files[@]}" </dev/null &
test_pid=$!
set +m
rc=0
wait "$test_pid" || rc=$?
test_pid=""
if ((rc == 124)); then
  log "the test run exceeded HEKATE_TEST_RUN_TIMEOUT=${HEKATE_TEST_RUN_TIMEOUT:-3600}s and was stopped"
elif ((rc != 0)) && ((!unit)); then
  log "tests failed (exit $rc); service logs: $HEKATE_RUN_DIR/kafka/kafka.out, $HEKATE_RUN_DIR/bigquery/emulator.out"
fi
exit "$rc"
