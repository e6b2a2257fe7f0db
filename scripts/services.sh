#!/usr/bin/env bash
# Starts/stops the five services as background processes against the local stack
# (or the KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL you exported).
#   scripts/services.sh start|stop|status
# Each service runs under a supervisor that starts it again when it exits (after 1 s, doubling
# to TRIAGE_RESTART_MAX_S, 30 s by default; back to 1 s once a run lasted 60 s), so a broker or
# database outage that ends a stage never needs a person; `stop` stops supervisors and services.
# Logs: .local/logs/<service>.log   pids: .local/run/<service>.pid (the supervisor's),
# .local/run/<service>.child (the service's)
# Health/metrics ports (override to run a second checkout beside this one):
#   TRIAGE_INGEST_PORT (8081)  TRIAGE_EXTRACT_PORT (9101)  TRIAGE_ROUTE_PORT (9102)
#   TRIAGE_CRM_SINK_PORT (9103)  TRIAGE_AUDIT_PORT (9104)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUN="$ROOT/.local/run"
LOGS="$ROOT/.local/logs"
VENV="$ROOT/.venv/bin"
SERVICES=(ingest extract route crm-sink audit)
declare -A PORTS=([ingest]="${TRIAGE_INGEST_PORT:-8081}" [extract]="${TRIAGE_EXTRACT_PORT:-9101}"
                  [route]="${TRIAGE_ROUTE_PORT:-9102}" [crm-sink]="${TRIAGE_CRM_SINK_PORT:-9103}"
                  [audit]="${TRIAGE_AUDIT_PORT:-9104}")
declare -A PORT_VARS=([ingest]=TRIAGE_INGEST_PORT [extract]=TRIAGE_EXTRACT_PORT [route]=TRIAGE_ROUTE_PORT
                      [crm-sink]=TRIAGE_CRM_SINK_PORT [audit]=TRIAGE_AUDIT_PORT)

log() { printf '[services] %s\n' "$*"; }
alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

port_taken() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

# Another process on a service's port would answer its /healthz in its place: refuse, naming it.
check_port_free() {
    local service="$1" port="${PORTS[$1]}" owner=""
    port_taken "$port" || return 0
    if command -v ss >/dev/null 2>&1; then
        owner="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*' | head -1 \
            | sed -E 's/users:\(\("([^"]*)",pid=([0-9]+).*/pid \2 (\1)/' || true)"
    fi
    log "ERROR: $service: port $port on 127.0.0.1 is already in use by another process${owner:+: $owner}." >&2
    log "       Stop it, or pick another port: export ${PORT_VARS[$service]}=<free port>." >&2
    exit 1
}

stack_env() {
    # The stack script prints KEY=VALUE lines for the running (or external) Kafka and PostgreSQL.
    while IFS= read -r line; do export "${line?}"; done < <("$ROOT/scripts/local-stack.sh" env)
}

webhook_secret() {
    # Generated once per checkout; a real deployment mounts its own (see README).
    local file="$ROOT/.local/inbound-webhook-secret"
    [ -s "$file" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
    cat "$file"
}

start() {
    for service in "${SERVICES[@]}"; do
        alive "$service" || check_port_free "$service"
    done
    mkdir -p "$RUN" "$LOGS"
    stack_env
    export TRIAGE_MAILBOX_FILE="${TRIAGE_MAILBOX_FILE:-$ROOT/samples/mailbox.json}"
    export TRIAGE_INBOUND_WEBHOOK_SECRET="${TRIAGE_INBOUND_WEBHOOK_SECRET:-$(webhook_secret)}"
    export TRIAGE_INSTANCE_ID="${TRIAGE_INSTANCE_ID:-local}"
    "$VENV/triage" topics apply >/dev/null
    "$VENV/triage" db migrate >/dev/null
    for service in "${SERVICES[@]}"; do
        if alive "$service"; then log "$service: already running (pid $(cat "$RUN/$service.pid"))"; continue; fi
        TRIAGE_METRICS_PORT="${PORTS[$service]}" nohup "${BASH_SOURCE[0]}" supervise "$service" \
            >>"$LOGS/$service.log" 2>&1 </dev/null &
        echo $! > "$RUN/$service.pid"
        log "$service: started (supervisor pid $!, http://127.0.0.1:${PORTS[$service]}/healthz, log .local/logs/$service.log)"
    done
    wait_healthy
}

# Runs one service, starting it again whenever it exits, until this supervisor gets SIGTERM.
supervise() {
    local service="$1" child="" backoff=1 started rc max="${TRIAGE_RESTART_MAX_S:-30}"
    trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
    stopping=0
    while [ "$stopping" = 0 ]; do
        started=$SECONDS
        "$VENV/triage-$service" &
        child=$!
        echo "$child" > "$RUN/$service.child"
        rc=0
        wait "$child" || rc=$?
        # a trapped signal interrupts wait: wait again for the service itself to end
        while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
        [ "$stopping" = 0 ] || break
        [ $((SECONDS - started)) -ge 60 ] && backoff=1
        log "$service: exited with status $rc; starting it again in ${backoff} s"
        local slept=0
        while [ "$slept" -lt "$backoff" ] && [ "$stopping" = 0 ]; do sleep 1; slept=$((slept + 1)); done
        backoff=$((backoff * 2 > max ? max : backoff * 2))
    done
    rm -f "$RUN/$service.child"
}

wait_healthy() {
    local deadline=$((SECONDS + 60))
    for service in "${SERVICES[@]}"; do
        until curl -fsS "http://127.0.0.1:${PORTS[$service]}/healthz" >/dev/null 2>&1; do
            if ! alive "$service"; then
                log "$service exited; last lines of its log:"; tail -n 20 "$LOGS/$service.log" >&2; exit 1
            fi
            if [ $SECONDS -ge $deadline ]; then log "$service not healthy after 60 s"; exit 1; fi
            sleep 0.3
        done
    done
    log "all five services healthy"
}

stop() {
    for service in "${SERVICES[@]}"; do
        if alive "$service"; then
            local pid; pid=$(cat "$RUN/$service.pid")
            kill -TERM "$pid"
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
            log "$service: stopped"
        fi
        # the service itself, should its supervisor have been killed without passing the signal on
        if [ -f "$RUN/$service.child" ]; then
            local child; child=$(cat "$RUN/$service.child")
            if kill -0 "$child" 2>/dev/null; then
                kill -TERM "$child"
                for _ in $(seq 1 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
                kill -0 "$child" 2>/dev/null && kill -KILL "$child"
            fi
        fi
        rm -f "$RUN/$service.pid" "$RUN/$service.child"
    done
}

status() {
    local rc=0
    for service in "${SERVICES[@]}"; do
        if alive "$service"; then log "$service: running (pid $(cat "$RUN/$service.pid"))"
        else log "$service: stopped"; rc=3; fi
    done
    return $rc
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    supervise) supervise "$2" ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
