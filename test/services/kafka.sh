#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft, combined broker+controller) for Hekate's tests,
# from Maven Central jars, without Docker. See test/services/README.md.
#
#   kafka.sh fetch                copy the broker jars into the cache (skipped when present)
#   kafka.sh start [--keep-data]  start a broker on 127.0.0.1; prints the bootstrap address.
#                                 Without --keep-data: fresh run dir, fresh data, new cluster.
#                                 With --keep-data: the same broker again (same log.dirs,
#                                 ports and cluster id, no reformat), e.g. after `stop`.
#   kafka.sh stop                 SIGTERM, wait up to 20 s, then SIGKILL. Keeps the data.
#   kafka.sh status               exit 0 and print the address when running, else exit 3.
#
# Environment:
#   KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093)
#   HEKATE_CACHE_DIR ($HOME/.cache/hekate)   jars in kafka-<version>/libs
#   HEKATE_RUN_DIR (/tmp/hekate-services)    run dir kafka/ (server.properties, data/, kafka.out, kafka.pid)
#   KAFKA_START_TIMEOUT (90 s), KAFKA_JAVA_OPTS (extra JVM options), JAVA_HOME (optional)
set -euo pipefail

SVC_NAME=kafka
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

POM="$HERE/kafka/pom.xml"
LOG4J_CONFIG="$HERE/kafka/log4j2.properties"
KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$POM" | head -n 1)"
[[ -n "$KAFKA_VERSION" ]] || svc_die "cannot read <kafka.version> from $POM"
# The dependency plugin version is pinned: Maven 3.8 does not bind one for copy-dependencies.
MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

KAFKA_HOME_DIR="$HEKATE_CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME_DIR/libs"
RUN="$HEKATE_RUN_DIR/kafka"
PIDFILE="$RUN/kafka.pid"
BOOTSTRAP_FILE="$RUN/bootstrap"
OUT="$RUN/kafka.out"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_GRACE=20
# What identifies our broker's command line (guards against stale, reused PIDs).
CMD_NEEDLE="$RUN/server.properties"

JAVA="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; fi

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# Kafka 4.x brokers need Java 17+ (minNonClientJavaVersion = 17).
check_java() {
  if ! command -v "$JAVA" >/dev/null 2>&1; then
    svc_die "java not found. Kafka 4.x needs Java 17+; install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless"
  fi
  local ver major
  ver="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  if [[ "$ver" == 1.* ]]; then
    major="$(cut -d. -f2 <<<"$ver")"
  else
    major="$(sed -E 's/^([0-9]+).*/\1/' <<<"$ver")"
  fi
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    svc_die "java ${ver:-of unknown version} found at $(command -v "$JAVA"). Kafka 4.x needs Java 17+; install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless (or set JAVA_HOME)"
  fi
}

pom_stamp() { cksum <"$POM" | awk '{print $1 "-" $2}'; }

jars_present() {
  [[ -d "$LIBS" && -f "$KAFKA_HOME_DIR/.pom-stamp" && "$(cat "$KAFKA_HOME_DIR/.pom-stamp")" == "$(pom_stamp)" ]] &&
    compgen -G "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

cmd_fetch() {
  if jars_present; then
    svc_log "Kafka $KAFKA_VERSION jars cached in $LIBS"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    svc_die "mvn not found. The broker jars come from Maven Central through Maven 3.8+; install it, e.g. apt-get install maven"
  mkdir -p -- "$HEKATE_CACHE_DIR"
  local tmp="$HEKATE_CACHE_DIR/.kafka-$KAFKA_VERSION.tmp.$$" t0 rc=0
  rm -rf -- "$tmp"
  mkdir -p -- "$tmp"
  svc_log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS ..."
  t0="$(now_ms)"
  local timeout_cmd=()
  if command -v timeout >/dev/null 2>&1; then timeout_cmd=(timeout 900); fi
  ${timeout_cmd[@]+"${timeout_cmd[@]}"} mvn -B -q -f "$POM" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1 || rc=$?
  if ((rc != 0)) || ! compgen -G "$tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
    tail_log "$tmp/mvn.log" 60
    rm -rf -- "$tmp"
    svc_die "Maven could not fetch the Kafka jars (exit $rc). Maven Central must be reachable on the first run."
  fi
  pom_stamp >"$tmp/.pom-stamp"
  rm -f -- "$tmp/mvn.log"
  rm -rf -- "$KAFKA_HOME_DIR"
  mv -- "$tmp" "$KAFKA_HOME_DIR"
  svc_log "fetched $(find "$LIBS" -name '*.jar' | wc -l | tr -d ' ') jars ($(du -sh "$LIBS" | cut -f1)) in $((($(now_ms) - t0) / 1000)) s"
}

write_server_properties() {
  local port="$1" cport="$2"
  cat >"$RUN/server.properties" <<EOF
# Written by test/services/kafka.sh: single combined KRaft node for tests, 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$RUN/data
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=1048577
# log.message.timestamp.after.max.ms is left at its Kafka 4.x default, 3600000 (1 hour;
# it was unlimited in 3.x): a record whose timestamp is more than 1 h in the future is
# rejected with INVALID_TIMESTAMP. Tests keep fixture timestamps sane, or test that path.
EOF
}

# A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 chars), as
# `kafka-storage.sh random-uuid` prints, but without a JVM start. Like Kafka's
# Uuid.randomUuid(), never one that starts with '-'.
random_cluster_id() {
  local id i
  for ((i = 0; i < 50; i++)); do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    if [[ ${#id} -eq 22 && "$id" != -* && "$id" != "AAAAAAAAAAAAAAAAAAAAAA" && "$id" != "AAAAAAAAAAAAAAAAAAAAAQ" ]]; then
      printf '%s\n' "$id"
      return 0
    fi
  done
  return 1
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

cmd_start() {
  local keep=0 arg
  for arg in "$@"; do
    case "$arg" in
      --keep-data) keep=1 ;;
      *) svc_log "unknown option for start: $arg"; usage ;;
    esac
  done
  check_java

  local pid
  pid="$(service_pid "$PIDFILE" "$CMD_NEEDLE")"
  if [[ -n "$pid" ]]; then
    svc_die "already running (pid $pid) at $(cat "$BOOTSTRAP_FILE" 2>/dev/null || echo '?'); run '$0 stop' first"
  fi

  cmd_fetch

  local port cport
  if ((keep)); then
    [[ -f "$RUN/data/meta.properties" && -f "$RUN/server.properties" ]] ||
      svc_die "--keep-data: no formatted broker in $RUN to restart; run '$0 start' without --keep-data"
    # Same broker: same server.properties (ports, log.dirs); no reformat.
    port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$RUN/server.properties")"
    cport="$(sed -n 's/^controller\.quorum\.voters=1@127\.0\.0\.1:\([0-9]*\)$/\1/p' "$RUN/server.properties")"
    [[ -n "$port" && -n "$cport" ]] || svc_die "cannot read the ports from $RUN/server.properties"
  else
    port="${KAFKA_PORT:-19092}"
    cport="${KAFKA_CONTROLLER_PORT:-19093}"
  fi
  local p
  for p in "$port" "$cport"; do
    [[ "$p" =~ ^[0-9]+$ ]] || svc_die "invalid port '$p'"
    if port_in_use "$p"; then
      svc_die "127.0.0.1:$p is already in use (another broker?). Stop it, or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done

  local t0
  t0="$(now_ms)"
  prepare_run_dir "$RUN" "$keep"
  mkdir -p -- "$RUN/logs"
  printf '127.0.0.1:%s\n' "$port" >"$BOOTSTRAP_FILE"

  local cp="$LIBS/*" # quoted when used: the JVM expands the wildcard
  if ((keep)); then
    svc_log "restarting the broker on its existing data in $RUN/data"
  else
    write_server_properties "$port" "$cport"
    local cluster_id
    cluster_id="$(random_cluster_id)" || svc_die "cannot generate a cluster id"
    printf '%s\n' "$cluster_id" >"$RUN/cluster-id"
    # Static voters (controller.quorum.voters): format WITHOUT --standalone.
    if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$cp" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$RUN/server.properties" \
      </dev/null >"$RUN/format.log" 2>&1; then
      tail_log "$RUN/format.log"
      svc_die "kafka.tools.StorageTool format failed"
    fi
  fi

  # Keep the previous start's output (e.g. before a stop/start --keep-data) for diagnosis.
  [[ -f "$OUT" ]] && mv -f -- "$OUT" "$OUT.prev"
  : >"$OUT"

  local jvm_opts=(
    -Xms256m -Xmx512m
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    -Dkafka.logs.dir="$RUN/logs"
    -Dlog4j2.configurationFile="$LOG4J_CONFIG"
  )
  local extra=()
  # shellcheck disable=SC2206 # word splitting of user-supplied JVM options is intended
  [[ -n "${KAFKA_JAVA_OPTS:-}" ]] && extra=(${KAFKA_JAVA_OPTS})

  trap abort_start INT TERM
  spawn_detached "$PIDFILE" "$OUT" "$JAVA" "${jvm_opts[@]}" ${extra[@]+"${extra[@]}"} \
    -cp "$cp" kafka.Kafka "$RUN/server.properties"
  STARTING_PID="$(read_pid "$PIDFILE")"

  local deadline=$((t0 + START_TIMEOUT * 1000))
  while :; do
    if grep -q 'Kafka Server started' "$OUT" 2>/dev/null && port_in_use "$port"; then
      break
    fi
    if ! pid_alive "$STARTING_PID"; then
      tail_log "$OUT" 60
      rm -f -- "$PIDFILE"
      svc_die "the broker exited during start-up (log: $OUT)"
    fi
    if (($(now_ms) > deadline)); then
      tail_log "$OUT" 60
      stop_pid "$STARTING_PID" 5 || true
      rm -f -- "$PIDFILE"
      svc_die "the broker was not ready within ${START_TIMEOUT}s (log: $OUT)"
    fi
    sleep 0.2
  done
  # On a restart the group coordinator loads __consumer_offsets just AFTER "Kafka Server
  # started"; until then group and offset requests fail with COORDINATOR_LOAD_IN_PROGRESS
  # (kafkajs' consumer retries that, its admin.fetchOffsets does not). Wait for the load so
  # that a test can use the restarted broker at once. (Logger
  # org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime must stay at INFO.)
  if ((keep)); then
    local want
    want="$(find "$RUN/data" -maxdepth 1 -type d -name '__consumer_offsets-*' | wc -l | tr -d ' ')"
    while (($(grep -E -o 'Finished loading (of metadata|offsets and group metadata) from __consumer_offsets-[0-9]+' "$OUT" 2>/dev/null | sort -u | wc -l) < want)); do
      if ! pid_alive "$STARTING_PID"; then
        tail_log "$OUT" 60
        rm -f -- "$PIDFILE"
        svc_die "the broker exited during start-up (log: $OUT)"
      fi
      if (($(now_ms) > deadline)); then
        svc_log "WARNING: the group coordinator has not finished loading __consumer_offsets within ${START_TIMEOUT}s"
        break
      fi
      sleep 0.1
    done
  fi
  trap - INT TERM
  svc_log "Kafka $KAFKA_VERSION ready at 127.0.0.1:$port (pid $STARTING_PID, $(($(now_ms) - t0)) ms, run dir $RUN)"
  printf '127.0.0.1:%s\n' "$port"
}

cmd_stop() {
  stop_service "$PIDFILE" "$CMD_NEEDLE" "$STOP_GRACE" "; data kept in $RUN/data"
}

cmd_status() {
  local pid
  pid="$(service_pid "$PIDFILE" "$CMD_NEEDLE")"
  if [[ -n "$pid" ]]; then
    printf 'kafka %s: running (pid %s) at %s, run dir %s\n' "$KAFKA_VERSION" "$pid" "$(cat "$BOOTSTRAP_FILE" 2>/dev/null || echo '?')" "$RUN"
    return 0
  fi
  printf 'kafka %s: not running\n' "$KAFKA_VERSION"
  return 3
}

case "${1:-}" in
  fetch) shift; cmd_fetch "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) usage ;;
esac
