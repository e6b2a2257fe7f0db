#!/usr/bin/env bash
# Local dev/test stack without Docker:
#   - a single-node Apache Kafka 4.x broker+controller (KRaft), jars from Maven Central
#   - a private PostgreSQL cluster
# both on 127.0.0.1, all state under <repo>/.local/ (git-ignored) or TRIAGE_LOCAL_DIR.
#
# Usage: scripts/local-stack.sh up|down [--purge]|purge|status|env|kafka-jars|help
#
# Environment:
#   TRIAGE_KAFKA_PORT (39092)  TRIAGE_KAFKA_CONTROLLER_PORT (39093)  TRIAGE_PG_PORT (35432)
#   TRIAGE_KAFKA_VERSION (4.1.1)  TRIAGE_KAFKA_START_TIMEOUT (90 s)
#   TRIAGE_LOCAL_DIR (<repo>/.local): where the state lives; another directory and other
#   ports make a second, private stack (tests/support/private_postgres.py does so).
#   KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL: when set, the local Kafka / PostgreSQL is
#   skipped and the external one is used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
if [ -n "${TRIAGE_LOCAL_DIR:-}" ]; then
    LOCAL="$(realpath -m "$TRIAGE_LOCAL_DIR")"
else
    LOCAL="$ROOT/.local"
fi

KAFKA_VERSION="${TRIAGE_KAFKA_VERSION:-4.1.1}"
KAFKA_PORT="${TRIAGE_KAFKA_PORT:-39092}"
KAFKA_CONTROLLER_PORT="${TRIAGE_KAFKA_CONTROLLER_PORT:-39093}"
KAFKA_START_TIMEOUT="${TRIAGE_KAFKA_START_TIMEOUT:-90}"
KAFKA_POM="$ROOT/deploy/local/kafka/pom.xml"
KAFKA_LOG4J="$ROOT/deploy/local/kafka/log4j2.properties"
KAFKA_DIR="$LOCAL/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOGS="$KAFKA_DIR/logs"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_OUT="$KAFKA_DIR/kafka.out"
KAFKA_JAR="kafka_2.13-$KAFKA_VERSION.jar"

PG_PORT="${TRIAGE_PG_PORT:-35432}"
PG_DB=triage
PG_ROLE=triage
PG_PASSWORD=triage
PG_LINK="$LOCAL/pg"   # the real directory, or a symlink to /var/tmp/triage-pg-<hash>
PG_HOME=""            # real path, set by pg_resolve_home
PG_BIN=""             # set by pg_find_bin

KAFKA_URL="127.0.0.1:$KAFKA_PORT"
PG_URL="postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"

# ----------------------------------------------------------------------------- helpers

log() { printf '[stack] %s\n' "$*"; }
err() { printf '[stack] ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%01d' $((d / 1000)) $(((d % 1000) / 100)); }
is_root() { [ "$(id -u)" -eq 0 ]; }

# true when something accepts TCP connections on host:port
port_open() {
    local host="$1" port="$2"
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
}

# "pid/name" of the listener on a loopback port, when ss can tell
port_owner() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*' | head -1 \
        | sed -E 's/users:\(\("([^"]*)",pid=([0-9]+).*/pid \2 (\1)/' || true
}

port_conflict() {  # port envvar what
    local owner; owner="$(port_owner "$1")"
    err "$3: port $1 on 127.0.0.1 is already in use by another process${owner:+: $owner}."
    err "      Stop it, or pick another port: export $2=<free port> (and use the same value for every command)."
    exit 1
}

# process exists and is not a zombie (an un-reaped exited process still answers kill -0)
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    local state; state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
    [ "$state" != Z ]
}

# run a command without the lock fd, so long-lived children do not keep the lock
nolock() { "$@" 9>&-; }

take_lock() {
    mkdir -p "$LOCAL"
    exec 9>"$LOCAL/.stack.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 180 9 || die "another local-stack.sh is still running (lock $LOCAL/.stack.lock)"
    fi
}

tail_file() {  # file lines
    [ -s "$1" ] || return 0
    printf -- '----- last %s lines of %s -----\n' "$2" "$1" >&2
    tail -n "$2" "$1" >&2
    printf -- '-----\n' >&2
}

# ----------------------------------------------------------------------------- kafka

kafka_external() { [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; }

check_java() {
    command -v java >/dev/null 2>&1 || die "java not found: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install -y openjdk-17-jre-headless)"
    local v
    v="$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[^"]*)?".*/\1/p')"
    if [ -n "$v" ] && [ "$v" -lt 17 ]; then
        die "java $v found, Kafka $KAFKA_VERSION needs Java 17+"
    fi
}

kafka_jars() {
    if [ -f "$KAFKA_LIBS/$KAFKA_JAR" ]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found: it is needed once to fetch the Kafka jars (apt-get install -y maven)"
    [ -f "$KAFKA_POM" ] || die "missing $KAFKA_POM"
    log "kafka: resolving Kafka $KAFKA_VERSION jars from Maven Central (once) ..."
    local t0 tmp; t0=$(now_ms); tmp="$KAFKA_DIR/libs.partial"
    mkdir -p "$KAFKA_DIR"
    rm -rf "$tmp"
    if ! nolock mvn -q -B -Dstyle.color=never -f "$KAFKA_POM" -Dkafka.version="$KAFKA_VERSION" \
            dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
            >"$KAFKA_DIR/mvn.log" 2>&1; then
        rm -rf "$tmp"
        tail_file "$KAFKA_DIR/mvn.log" 40
        die "kafka: mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (network / version?)"
    fi
    [ -f "$tmp/$KAFKA_JAR" ] || die "kafka: mvn finished but $KAFKA_JAR is missing from $tmp"
    rm -rf "$KAFKA_LIBS"       # drop jars of another version
    mv "$tmp" "$KAFKA_LIBS"
    log "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in .local/kafka/libs ($(du -sh "$KAFKA_LIBS" | cut -f1), $(secs_since "$t0") s)"
}

# pid of our broker, from the pid file, if that process is really our broker
kafka_pid() {
    [ -f "$KAFKA_PID" ] || return 1
    local pid; pid="$(tr -dc '0-9' <"$KAFKA_PID")"
    pid_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $KAFKA_PROPS" || return 1
    echo "$pid"
}

# our broker running without a (valid) pid file, e.g. the file was deleted
kafka_find_orphan() {
    local f pid
    for f in $(grep -lzxF "$KAFKA_PROPS" /proc/[0-9]*/cmdline 2>/dev/null); do
        pid="${f#/proc/}"; pid="${pid%/cmdline}"
        tr '\0' ' ' <"$f" 2>/dev/null | grep -qF "kafka.Kafka $KAFKA_PROPS" && pid_alive "$pid" && { echo "$pid"; return 0; }
    done
    return 1
}

kafka_clean_stale_pid() {
    kafka_pid >/dev/null && return 0
    if [ -f "$KAFKA_PID" ]; then
        log "kafka: removing stale pid file (pid $(tr -dc '0-9' <"$KAFKA_PID") is not our broker any more)"
        rm -f "$KAFKA_PID"
    fi
    local orphan
    if orphan="$(kafka_find_orphan)"; then
        log "kafka: found our broker running without a pid file (pid $orphan), adopting it"
        echo "$orphan" >"$KAFKA_PID"
    fi
}

kafka_write_props() {
    cat >"$KAFKA_PROPS" <<EOF
# Generated by scripts/local-stack.sh on every 'up' - do not edit.
# Single-node KRaft cluster: this node is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA

# One node: replication factor 1 everywhere.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: much faster first group join / transaction.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5

# Topics are created explicitly by the project.
auto.create.topics.enable=false
num.partitions=3
# No 3 s wait on every consumer group (re)join.
group.initial.rebalance.delay.ms=0
EOF
}

kafka_up() {
    if kafka_external; then
        log "kafka: using external KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS (local broker not started)"
        return 0
    fi
    local pid
    kafka_clean_stale_pid
    if pid="$(kafka_pid)"; then
        log "kafka: already running (pid $pid) on $KAFKA_URL"
        return 0
    fi
    port_open 127.0.0.1 "$KAFKA_PORT" && port_conflict "$KAFKA_PORT" TRIAGE_KAFKA_PORT kafka
    port_open 127.0.0.1 "$KAFKA_CONTROLLER_PORT" && port_conflict "$KAFKA_CONTROLLER_PORT" TRIAGE_KAFKA_CONTROLLER_PORT "kafka controller"

    check_java
    kafka_jars
    mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
    kafka_write_props

    local cp="$KAFKA_LIBS/*"
    local -a jlog=("-Dlog4j2.configurationFile=$KAFKA_LOG4J" "-Dkafka.logs.dir=$KAFKA_LOGS")
    if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
        local cid
        cid="$(nolock java "${jlog[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_OUT" | tail -1)"
        [ -n "$cid" ] || { tail_file "$KAFKA_OUT" 40; die "kafka: could not generate a cluster id"; }
        if ! nolock java "${jlog[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone \
                -t "$cid" -c "$KAFKA_PROPS" >>"$KAFKA_OUT" 2>&1; then
            tail_file "$KAFKA_OUT" 40
            die "kafka: formatting $KAFKA_DATA failed"
        fi
        log "kafka: formatted storage in .local/kafka/data (cluster id $cid)"
    fi

    local server_log="$KAFKA_LOGS/server.log" offset=0 t0
    [ -f "$server_log" ] && offset="$(stat -c %s "$server_log")"
    log "kafka: starting Kafka $KAFKA_VERSION on $KAFKA_URL (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT) ..."
    t0=$(now_ms)
    : >"$KAFKA_OUT"
    (
        cd "$KAFKA_DIR"
        exec 9>&-
        nohup setsid java -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "${jlog[@]}" \
            -cp "$cp" kafka.Kafka "$KAFKA_PROPS" >>"$KAFKA_OUT" 2>&1 </dev/null &
        echo $! >"$KAFKA_PID"
    )
    pid="$(cat "$KAFKA_PID")"

    local deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT ))
    while :; do
        if ! pid_alive "$pid"; then
            rm -f "$KAFKA_PID"
            tail_file "$server_log" 40
            tail_file "$KAFKA_OUT" 40
            die "kafka: the broker exited during start-up (logs: .local/kafka/kafka.out, .local/kafka/logs/server.log)"
        fi
        if port_open 127.0.0.1 "$KAFKA_PORT" && [ -f "$server_log" ]; then
            local size; size="$(stat -c %s "$server_log")"
            [ "$size" -lt "$offset" ] && offset=0   # log was rolled
            if tail -c +"$((offset + 1))" "$server_log" | grep -q 'Kafka Server started'; then
                break
            fi
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            tail_file "$server_log" 40
            tail_file "$KAFKA_OUT" 40
            die "kafka: not ready after ${KAFKA_START_TIMEOUT}s (pid $pid still running; 'scripts/local-stack.sh down' stops it)"
        fi
        sleep 0.5
    done
    log "kafka: up (pid $pid) on $KAFKA_URL in $(secs_since "$t0") s"
}

stop_pid() {  # pid name: SIGTERM, wait up to 30 s, then SIGKILL
    local pid="$1" name="$2" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 60; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.5
    done
    log "$name: still running after 30 s, sending SIGKILL to pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.25
    done
}

# Stops the broker this state directory started, whatever is exported: after
# `export $(scripts/local-stack.sh env)` KAFKA_BOOTSTRAP_SERVERS names the local broker itself.
kafka_down() {
    kafka_clean_stale_pid
    local pid t0
    if ! kafka_pid >/dev/null && kafka_external; then
        log "kafka: using external KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS (nothing to stop)"
        return 0
    fi
    if pid="$(kafka_pid)"; then
        log "kafka: stopping (pid $pid) ..."
        t0=$(now_ms)
        stop_pid "$pid" kafka
        rm -f "$KAFKA_PID"
        log "kafka: stopped in $(secs_since "$t0") s"
    else
        log "kafka: not running"
    fi
}

kafka_status() {  # returns 0 when up
    if kafka_external; then
        local first="${KAFKA_BOOTSTRAP_SERVERS%%,*}"; first="${first#*://}"
        if port_open "${first%:*}" "${first##*:}"; then
            log "kafka:    external $KAFKA_BOOTSTRAP_SERVERS (reachable)"; return 0
        fi
        log "kafka:    external $KAFKA_BOOTSTRAP_SERVERS (NOT reachable)"; return 1
    fi
    local pid
    if pid="$(kafka_pid)"; then
        local rss; rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ')"
        if port_open 127.0.0.1 "$KAFKA_PORT"; then
            log "kafka:    up (pid $pid, rss $(( ${rss:-0} / 1024 )) MiB) on $KAFKA_URL"; return 0
        fi
        log "kafka:    starting/unhealthy (pid $pid, port $KAFKA_PORT not accepting)"; return 1
    fi
    if [ -f "$KAFKA_PID" ]; then
        log "kafka:    down (stale pid file)"
    else
        log "kafka:    down"
    fi
    return 1
}

# ----------------------------------------------------------------------------- postgres

pg_external() { [ -n "${DATABASE_URL:-}" ]; }

as_pg() {  # run as the cluster owner (postgres when we are root), from a neutral cwd
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_find_bin() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        PG_BIN="$d"; return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v pg_ctl)")"; return 0
    fi
    return 1
}

pg_ensure_installed() {
    pg_find_bin && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "postgres: server binaries not found, installing with apt-get (postgresql) ..."
        DEBIAN_FRONTEND=noninteractive nolock apt-get update -qq
        DEBIAN_FRONTEND=noninteractive nolock apt-get install -y -qq postgresql >/dev/null
        pg_find_bin && return 0
    fi
    die "postgres: initdb/pg_ctl not found (looked in /usr/lib/postgresql/*/bin and PATH). Install PostgreSQL, e.g. 'sudo apt-get install -y postgresql', or set DATABASE_URL to use an external database."
}

pg_server_version() { "$PG_BIN/postgres" --version | awk '{print $3}'; }   # e.g. 15.18

pg_check_user() {
    if is_root; then
        id postgres >/dev/null 2>&1 || die "postgres: running as root but there is no 'postgres' system user to run the server as (PostgreSQL refuses to run as root). Install the postgresql package or run as a normal user."
        command -v runuser >/dev/null 2>&1 || die "postgres: 'runuser' (util-linux) is needed to run PostgreSQL as the postgres user"
    fi
}

pg_fallback_dir() {  # one per repo, or per TRIAGE_LOCAL_DIR: two stacks never share a cluster
    local owner="$ROOT"
    [ -n "${TRIAGE_LOCAL_DIR:-}" ] && owner="$LOCAL"
    echo "/var/tmp/triage-pg-$(printf '%s' "$owner" | sha256sum | cut -c1-12)"
}

# Sets PG_HOME. With create=1 makes the directory (and the /var/tmp fallback when the
# postgres user cannot reach the repo, e.g. a clone in a mode-700 mktemp -d folder).
pg_resolve_home() {
    local create="${1:-0}"
    if [ -L "$PG_LINK" ]; then
        PG_HOME="$(readlink -f "$PG_LINK" || true)"
        if [ -n "$PG_HOME" ] && [ -d "$PG_HOME" ]; then return 0; fi
        [ "$create" = 1 ] || { PG_HOME=""; return 1; }
        rm -f "$PG_LINK"       # dangling link (e.g. /var/tmp was cleaned): start over
    elif [ -d "$PG_LINK" ]; then
        PG_HOME="$PG_LINK"
        if is_root && [ "$create" = 1 ] && ! runuser -u postgres -- test -x "$PG_HOME" 2>/dev/null; then
            if [ -f "$PG_HOME/data/PG_VERSION" ]; then
                die "postgres: the postgres user cannot reach $PG_HOME (a parent directory is not traversable) and it already holds a cluster; move the repo, 'chmod o+x' its parents, or 'scripts/local-stack.sh purge'"
            fi
            rm -rf "$PG_LINK"
        else
            return 0
        fi
    else
        [ "$create" = 1 ] || return 1
    fi

    mkdir -p "$LOCAL"
    if is_root && ! runuser -u postgres -- test -x "$LOCAL" 2>/dev/null; then
        PG_HOME="$(pg_fallback_dir)"
        mkdir -p "$PG_HOME"
        ln -sfn "$PG_HOME" "$PG_LINK"
        log "postgres: the postgres user cannot enter $LOCAL, keeping its data in $PG_HOME ($PG_LINK links there)"
    else
        PG_HOME="$PG_LINK"
        mkdir -p "$PG_HOME"
    fi
}

pg_paths() {
    PG_DATA="$PG_HOME/data"
    PG_RUN="$PG_HOME/run"
    PG_LOGFILE="$PG_HOME/postgres.log"
}

# postmaster pid if our cluster is running
pg_pid() {
    [ -n "$PG_HOME" ] || return 1
    local f="$PG_DATA/postmaster.pid" pid
    [ -f "$f" ] || return 1
    pid="$(head -1 "$f" | tr -dc '0-9')"
    pid_alive "$pid" || return 1
    grep -qE '^(postgres|postmaster)' "/proc/$pid/comm" 2>/dev/null || return 1
    echo "$pid"
}

pg_clean_stale_pid() {
    local f="$PG_DATA/postmaster.pid"
    if [ -f "$f" ] && ! pg_pid >/dev/null; then
        log "postgres: removing stale postmaster.pid (pid $(head -1 "$f" | tr -dc '0-9') is not running)"
        rm -f "$f"
    fi
}

pg_psql_super() {  # superuser over the private unix socket
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_up() {
    if pg_external; then
        log "postgres: using external DATABASE_URL (local cluster not started)"
        return 0
    fi
    pg_ensure_installed
    pg_check_user
    pg_resolve_home 1
    pg_paths
    local pid t0
    pg_clean_stale_pid
    if pid="$(pg_pid)"; then
        log "postgres: already running (pid $pid) on 127.0.0.1:$PG_PORT"
        return 0
    fi
    port_open 127.0.0.1 "$PG_PORT" && port_conflict "$PG_PORT" TRIAGE_PG_PORT postgres

    t0=$(now_ms)
    mkdir -p "$PG_RUN"
    chmod 700 "$PG_HOME"
    is_root && chown postgres:postgres "$PG_HOME" "$PG_RUN"

    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        log "postgres: initialising cluster in $PG_DATA (PostgreSQL $(pg_server_version)) ..."
        if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
                --auth-local=trust --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1; then
            tail_file "$PG_HOME/initdb.log" 40
            die "postgres: initdb failed"
        fi
        echo "include_if_exists = 'local-stack.conf'" >>"$PG_DATA/postgresql.conf"
    else
        local have want
        have="$(cat "$PG_DATA/PG_VERSION")"
        want="$(pg_server_version | cut -d. -f1)"
        [ "$have" = "$want" ] || die "postgres: $PG_DATA was created by PostgreSQL $have but $PG_BIN is $want; 'scripts/local-stack.sh purge' to recreate it"
    fi
    # Rewritten on every start so port / socket changes apply.
    cat >"$PG_DATA/local-stack.conf" <<EOF
# Generated by scripts/local-stack.sh on every 'up' - do not edit.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
password_encryption = 'scram-sha-256'
EOF
    is_root && chown postgres:postgres "$PG_DATA/local-stack.conf"

    log "postgres: starting on 127.0.0.1:$PG_PORT ..."
    if ! nolock as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOGFILE" -w -t 60 start >/dev/null 2>&1; then
        tail_file "$PG_LOGFILE" 40
        die "postgres: failed to start (log: $PG_LOGFILE)"
    fi
    local i
    for ((i = 0; i < 60; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.5
    done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || { tail_file "$PG_LOGFILE" 40; die "postgres: not accepting connections on 127.0.0.1:$PG_PORT"; }

    pg_psql_super <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\gexec
EOF
    log "postgres: up (pid $(pg_pid || echo '?')) on 127.0.0.1:$PG_PORT, database '$PG_DB' owned by '$PG_ROLE', in $(secs_since "$t0") s"
}

# Like kafka_down: the cluster of this state directory is stopped even when DATABASE_URL is set.
pg_down() {
    local pid t0
    if ! pg_resolve_home 0 || ! { pg_paths; pg_clean_stale_pid; pid="$(pg_pid)"; }; then
        if pg_external; then
            log "postgres: using external DATABASE_URL (nothing to stop)"
        else
            log "postgres: not running"
        fi
        return 0
    fi
    log "postgres: stopping (pid $pid) ..."
    t0=$(now_ms)
    # 'fast' = SIGINT: rolls back open sessions and shuts down cleanly (plain SIGTERM is
    # 'smart' shutdown, which waits for every client to disconnect).
    pg_find_bin || true
    if [ -n "$PG_BIN" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || { log "postgres: not stopped after 30 s, immediate shutdown"; as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true; }
    else
        stop_pid "$pid" postgres
    fi
    # pg_ctl returns once postmaster.pid is gone; the postmaster exits a moment later.
    local i
    for ((i = 0; i < 40; i++)); do
        pid_alive "$pid" || break
        sleep 0.25
    done
    if pid_alive "$pid"; then
        log "postgres: sending SIGKILL to pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    log "postgres: stopped in $(secs_since "$t0") s"
}

pg_status() {
    if pg_external; then
        log "postgres: external DATABASE_URL"
        return 0
    fi
    if ! pg_resolve_home 0; then
        log "postgres: down (no cluster yet)"; return 1
    fi
    pg_paths
    local pid
    if pid="$(pg_pid)"; then
        pg_find_bin || true
        if [ -n "$PG_BIN" ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
            log "postgres: up (pid $pid) on 127.0.0.1:$PG_PORT (data: $PG_DATA)"; return 0
        fi
        log "postgres: running (pid $pid) but not accepting connections on 127.0.0.1:$PG_PORT"; return 1
    fi
    log "postgres: down"
    return 1
}

# ----------------------------------------------------------------------------- commands

cmd_up() {
    take_lock
    local t0; t0=$(now_ms)
    kafka_up
    pg_up
    log "stack is up ($(secs_since "$t0") s). Use it with:  set -a; source <(scripts/local-stack.sh env); set +a"
    cmd_env_lines | redact_passwords | sed 's/^/[stack]   /'
}

cmd_down() {
    take_lock
    local purge=0
    [ "${1:-}" = "--purge" ] && purge=1
    kafka_down
    pg_down
    [ "$purge" = 1 ] && purge_data
    return 0
}

purge_data() {
    if ! kafka_external; then
        rm -rf "$KAFKA_DATA" "$KAFKA_LOGS" "$KAFKA_PROPS" "$KAFKA_OUT" "$KAFKA_PID" "$KAFKA_DIR/libs.partial"
        log "kafka: data deleted (jar cache .local/kafka/libs kept)"
    fi
    if ! pg_external; then
        if [ -L "$PG_LINK" ]; then
            local target; target="$(readlink -f "$PG_LINK" || true)"
            case "$target" in /var/tmp/triage-pg-*) rm -rf "$target" ;; esac
            rm -f "$PG_LINK"
        else
            rm -rf "$PG_LINK"
        fi
        log "postgres: data deleted"
    fi
}

cmd_status() {
    local rc=0
    kafka_status || rc=3
    pg_status || rc=3
    return "$rc"
}

cmd_env_lines() {
    echo "KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-$KAFKA_URL}"
    echo "DATABASE_URL=${DATABASE_URL:-$PG_URL}"
}

# What is shown to a person: the password of every URL replaced (`env`, for `export $(...)`,
# still prints the real value: it is read by a shell, not shown).
redact_passwords() {
    sed -E 's#(://[^:/@[:space:]]*):[^@[:space:]]*@#\1:***@#g'
}

cmd_env() {
    if ! kafka_external && ! kafka_pid >/dev/null; then
        echo "[stack] warning: local kafka is not running (scripts/local-stack.sh up)" >&2
    fi
    if ! pg_external; then
        if ! { pg_resolve_home 0 && pg_paths && pg_pid >/dev/null; }; then
            echo "[stack] warning: local postgres is not running (scripts/local-stack.sh up)" >&2
        fi
    fi
    cmd_env_lines
}

usage() {
    cat <<EOF
usage: scripts/local-stack.sh <command>

  up            start Kafka $KAFKA_VERSION (KRaft, 127.0.0.1:$KAFKA_PORT) and PostgreSQL (127.0.0.1:$PG_PORT)
  down          stop both (harmless when nothing runs);  down --purge  also deletes their data
  purge         same as down --purge
  status        show state; exit 0 when both are up, 3 otherwise
  env           print KAFKA_BOOTSTRAP_SERVERS=... and DATABASE_URL=... for the stack
  env-shown     the same with every password replaced by *** (what 'up' shows)
  kafka-jars    only resolve the Kafka jars into .local/kafka/libs

Ports: TRIAGE_KAFKA_PORT, TRIAGE_KAFKA_CONTROLLER_PORT, TRIAGE_PG_PORT.
State directory: TRIAGE_LOCAL_DIR (default <repo>/.local).
External services: set KAFKA_BOOTSTRAP_SERVERS and/or DATABASE_URL to skip the local ones.
State: $LOCAL
EOF
}

main() {
    local cmd="${1:-help}"
    [ $# -gt 0 ] && shift
    case "$cmd" in
        up) cmd_up ;;
        down) cmd_down "$@" ;;
        purge) cmd_down --purge ;;
        status) cmd_status ;;
        env) cmd_env ;;
        env-shown) cmd_env_lines | redact_passwords ;;
        kafka-jars) take_lock; check_java; kafka_jars; log "kafka: jars ready in .local/kafka/libs" ;;
        help | -h | --help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
