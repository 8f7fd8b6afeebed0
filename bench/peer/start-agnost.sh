#!/usr/bin/env bash
# Start or stop agnost_django (a checkout of the project, with its .venv from `make install`) for the
# benchmark, in its production-like configuration: PostgreSQL (a persistent connection per request thread, the example project's
# default), Redis (cache, channel layer), DEBUG off, uvicorn without access logs.
# The Django host is agnost-host/ (benchhost.settings = the example project's settings + the
# `benchtodos` app: a `todos` model with an index on priority, rules "anyone" for every operation).
#
#   bash start-agnost.sh start     # ensure PostgreSQL database + Redis, migrate, client key, start uvicorn; print its PID
#   bash start-agnost.sh stop      # stop the uvicorn started here (by the PID in .run/agnost.pid)
#   bash start-agnost.sh status
#   bash start-agnost.sh restart
#   bash start-agnost.sh drop-db   # drop the benchmark database (agnost must be stopped)
#   bash start-agnost.sh redis-stop  # stop the Redis started here (by the PID in .run/agnost-redis.pid)
#   bash start-agnost.sh python SCRIPT ARGS   # run a Python script with the server's environment (cwd: AGNOST_SRC)
#
# Environment (defaults in brackets):
#   AGNOST_SRC [the current directory, if it holds manage.py and agnost_django/; else required]
#                                  the agnost_django checkout (its .venv is used: AGNOST_VENV [$AGNOST_SRC/.venv])
#   AGNOST_HOST [127.0.0.1]  AGNOST_PORT [22100]
#   AGNOST_WORKERS [1]             uvicorn worker processes; 1 = one process (no supervisor), like Parse's one
#                                  Node process; 2 = `uvicorn --workers 2` (the README's "N ASGI workers")
#   AGNOST_SERVER [uvicorn]        uvicorn: the README's ASGI deployment (manage.py agnost_serve);
#                                  gunicorn: reference variant, the same Django project under WSGI
#                                  (gunicorn gthread, AGNOST_WORKERS processes x AGNOST_THREADS [8] threads;
#                                  gunicorn is not in requirements.txt: pip install gunicorn into the venv)
#   AGNOST_DB [agnost_bench]  PGHOST [127.0.0.1]  PGPORT [5432]  PG_ADMIN_USER [postgres]
#   AGNOST_DATABASE_URL [postgres://postgres@$PGHOST:$PGPORT/$AGNOST_DB]
#   AGNOST_REDIS_PORT [6392]       a Redis of our own (started here if nothing answers on it);
#   AGNOST_REDIS_URL [redis://127.0.0.1:$AGNOST_REDIS_PORT/0]
#   DATABASE_POOL [0]              1: the example project's psycopg pool (DATABASE_POOL_MAX_SIZE [10] per process)
#   AGNOST_CORE_REQUEST_LOG [on]   0: the request log off (run-all.sh's agnost-nolog); also
#                                  AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE [1] (read by the example project's settings)
#   RUN_DIR [<this folder>/.run]   pid file, log, client key (agnost-client-key)
# The sign-in/sign-up throttles (20/min per IP by default) are switched off, as Parse and PocketBase
# have none: AGNOST_AUTH_THROTTLE_RATES='{"sign_in": null, "sign_up": null}'.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${RUN_DIR:-$HERE/.run}"
if [[ -z "${AGNOST_SRC:-}" ]]; then
  if [[ -f manage.py && -d agnost_django ]]; then AGNOST_SRC="$PWD"
  elif [[ -f "$HERE/../../manage.py" ]]; then AGNOST_SRC="$(cd "$HERE/../.." && pwd)"  # bench/peer of the checkout
  elif [[ "${1:-start}" =~ ^(start|restart|python|env)$ ]]; then
    echo "start-agnost.sh: run it from an agnost_django checkout (manage.py, agnost_django/) or set AGNOST_SRC" >&2; exit 1
  fi
fi
AGNOST_SRC="${AGNOST_SRC:-}"
AGNOST_VENV="${AGNOST_VENV:-$AGNOST_SRC/.venv}"
AGNOST_HOST="${AGNOST_HOST:-127.0.0.1}"
AGNOST_PORT="${AGNOST_PORT:-22100}"
AGNOST_WORKERS="${AGNOST_WORKERS:-1}"
AGNOST_DB="${AGNOST_DB:-agnost_bench}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PG_ADMIN_USER="${PG_ADMIN_USER:-postgres}"
AGNOST_DATABASE_URL="${AGNOST_DATABASE_URL:-postgres://$PG_ADMIN_USER@$PGHOST:$PGPORT/$AGNOST_DB}"
AGNOST_REDIS_PORT="${AGNOST_REDIS_PORT:-6392}"
AGNOST_REDIS_URL="${AGNOST_REDIS_URL:-redis://127.0.0.1:$AGNOST_REDIS_PORT/0}"

PID_FILE="$RUN_DIR/agnost.pid"
LOG_FILE="$RUN_DIR/agnost.log"
KEY_FILE="$RUN_DIR/agnost-client-key"
REDIS_PID_FILE="$RUN_DIR/agnost-redis.pid"
SERVER_URL="http://$AGNOST_HOST:$AGNOST_PORT"
API="$SERVER_URL/_api/rest/v1"

die() { echo "start-agnost.sh: $*" >&2; exit 1; }

# The environment of every Django process started here.
django_env() {
  export PYTHONPATH="$HERE/agnost-host:$AGNOST_SRC"
  export DJANGO_SETTINGS_MODULE=benchhost.settings
  export DJANGO_DEBUG=0
  export DJANGO_HTTPS=0     # production settings, served over plain HTTP on loopback
  export DJANGO_ENV_FILE=""  # never a developer's .env
  export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-secret-key-not-for-production-0123456789abcdef}"
  export DATABASE_URL="$AGNOST_DATABASE_URL"
  export REDIS_URL="$AGNOST_REDIS_URL"
  export CACHE_KEY_PREFIX="${CACHE_KEY_PREFIX:-agnostbench}"
  export AGNOST_AUTH_THROTTLE_RATES='{"sign_in": null, "sign_up": null}'
  export AGNOST_AUTH_PHONE_CONFIRMATION=0
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ensure_postgres() {
  pg_isready -h "$PGHOST" -p "$PGPORT" -q || die "PostgreSQL is not accepting connections on $PGHOST:$PGPORT"
  if ! psql "$AGNOST_DATABASE_URL" -qAtc 'select 1' >/dev/null 2>&1; then
    echo "creating database $AGNOST_DB" >&2
    psql -h "$PGHOST" -p "$PGPORT" -U "$PG_ADMIN_USER" -qAtc "create database \"$AGNOST_DB\"" >&2
  fi
}

ensure_redis() {
  if redis-cli -p "$AGNOST_REDIS_PORT" ping >/dev/null 2>&1; then return 0; fi
  echo "starting redis-server on port $AGNOST_REDIS_PORT" >&2
  redis-server --port "$AGNOST_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --pidfile "$REDIS_PID_FILE" --logfile "$RUN_DIR/agnost-redis.log" >&2
  for _ in $(seq 30); do redis-cli -p "$AGNOST_REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "redis-server did not come up on $AGNOST_REDIS_PORT"
}

# A client key for the bench (reused while it still answers; else a new one).
ensure_client_key() {
  if [[ -s "$KEY_FILE" ]]; then
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Client-Key: $(cat "$KEY_FILE")" -H 'X-Client: altogic-js' "$API/db/stats")"
    [[ "$code" == 200 ]] && return 0
  fi
  (cd "$AGNOST_SRC" && django_env && "$AGNOST_VENV/bin/python" manage.py agnost_create_client_key "peer bench") | tail -n 1 >"$KEY_FILE"
  [[ "$(cat "$KEY_FILE")" == agk_* ]] || die "agnost_create_client_key gave no key: $(cat "$KEY_FILE")"
}

start() {
  local pid
  if pid="$(running_pid)"; then echo "agnost already running: PID $pid, $SERVER_URL"; return 0; fi
  [[ -x "$AGNOST_VENV/bin/uvicorn" ]] || die "no $AGNOST_VENV/bin/uvicorn: run 'make install' in $AGNOST_SRC"
  mkdir -p "$RUN_DIR"
  ensure_postgres
  ensure_redis
  (cd "$AGNOST_SRC" && django_env && "$AGNOST_VENV/bin/python" manage.py migrate --noinput -v 0) >&2
  local bin args
  if [[ "${AGNOST_SERVER:-uvicorn}" == granian ]]; then
    bin="$AGNOST_VENV/bin/granian"
    [[ -x "$bin" ]] || die "no $bin: pip install granian into $AGNOST_VENV"
    args=(--interface asginl --host "$AGNOST_HOST" --port "$AGNOST_PORT" --workers "$AGNOST_WORKERS"
          --loop uvloop --log-level warning --blocking-threads 1 benchhost.asgi:application)
  elif [[ "${AGNOST_SERVER:-uvicorn}" == gunicorn ]]; then
    bin="$AGNOST_VENV/bin/gunicorn"
    [[ -x "$bin" ]] || die "no $bin: pip install gunicorn into $AGNOST_VENV"
    args=(benchhost.wsgi:application --bind "$AGNOST_HOST:$AGNOST_PORT" --workers "$AGNOST_WORKERS"
          --worker-class gthread --threads "${AGNOST_THREADS:-8}" --log-level warning)
  else
    # The documented production command: uvicorn through manage.py agnost_serve.
    bin="$AGNOST_VENV/bin/python"
    args=(manage.py agnost_serve --host "$AGNOST_HOST" --port "$AGNOST_PORT"
          --no-access-log --log-level warning)
    if [[ "$AGNOST_WORKERS" != 1 ]]; then args+=(--workers "$AGNOST_WORKERS"); fi
  fi
  # setsid: own process group, so that 'stop' ends the workers with their supervisor.
  (cd "$AGNOST_SRC" && django_env && exec setsid nohup "$bin" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  for _ in $(seq 120); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$API" 2>/dev/null)" =~ ^[2-4] ]]; then
      ensure_client_key
      echo "agnost_django ($(cd "$AGNOST_SRC" && git rev-parse --short HEAD)) started under ${AGNOST_SERVER:-uvicorn}: PID $pid, $AGNOST_WORKERS worker process(es), $SERVER_URL (log: $LOG_FILE)"
      echo "$pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$LOG_FILE" >&2; rm -f "$PID_FILE"; die "uvicorn exited"; }
    sleep 0.5
  done
  tail -n 30 "$LOG_FILE" >&2
  die "agnost did not answer $API within 60 s (PID $pid still running; stop it with: bash $0 stop)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then echo "agnost not running"; rm -f "$PID_FILE"; return 0; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; fi
  rm -f "$PID_FILE"
  echo "agnost stopped (PID $pid)"
}

status() {
  local pid
  if pid="$(running_pid)"; then echo "running: PID $pid, $SERVER_URL"; else echo "not running"; return 1; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  drop-db)
    if running_pid >/dev/null; then die "stop agnost first"; fi
    psql -h "$PGHOST" -p "$PGPORT" -U "$PG_ADMIN_USER" -qAtc "drop database if exists \"$AGNOST_DB\""; rm -f "$KEY_FILE" ;;
  redis-stop)
    if [[ -s "$REDIS_PID_FILE" ]]; then kill "$(cat "$REDIS_PID_FILE")" 2>/dev/null || true; rm -f "$REDIS_PID_FILE"; fi ;;
  python) shift; cd "$AGNOST_SRC" && django_env && export PYTHONPATH="$PYTHONPATH:$AGNOST_SRC" && exec "$AGNOST_VENV/bin/python" "$@" ;;
  env) django_env; env | grep -E '^(PYTHONPATH|DJANGO_|DATABASE_URL|REDIS_URL|CACHE_KEY_PREFIX|AGNOST_)' ;;
  *) die "usage: $0 start|stop|status|restart|drop-db|redis-stop|env|python ARGS" ;;
esac
