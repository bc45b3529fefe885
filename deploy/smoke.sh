#!/usr/bin/env bash
# Smoke deployment, as docs/deploy.md describes it, on this one machine: a fresh PostgreSQL database, Redis as
# broker and shared cache, gunicorn with 2 workers and DEBUG off, one Celery worker for both queues and one beat;
# then deploy/smoke_journey.py walks the main journey over HTTP, and everything is stopped again.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379 (.ci/run starts both), and a
# virtualenv with requirements.txt: PY=/path/to/venv/bin/python (default .venv; .ci/run gives it one with nothing else).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
BIN="$(dirname "$PY")"
PG_HOST="${SMOKE_PG_HOST:-127.0.0.1}"
REDIS_HOST="${SMOKE_REDIS_HOST:-127.0.0.1}"

say() { printf '== %s\n' "$*"; }
STARTED=$(date +%s)

"$PY" -c "import psycopg2; psycopg2.connect(host='$PG_HOST', port=5432, user='postgres', dbname='postgres').close()" \
  2>/dev/null || { echo "!! 连不上 PostgreSQL（$PG_HOST:5432，用户 postgres），冒烟部署需要它。" >&2; exit 1; }
"$PY" -c "import redis; redis.Redis(host='$REDIS_HOST', port=6379).ping()" 2>/dev/null \
  || { echo "!! 连不上 Redis（$REDIS_HOST:6379），冒烟部署需要它。" >&2; exit 1; }

DB="pledge_smoke_$$"
WORK="$(mktemp -d)"
PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  stop_all
  if [ "$rc" != 0 ]; then
    for log in gunicorn worker beat; do
      [ -s "$WORK/$log.log" ] && { echo "---- $log.log（最后 40 行）"; tail -n 40 "$WORK/$log.log"; }
    done
  fi
  "$PY" - "$DB" "$PG_HOST" <<'PY' || true
import sys, psycopg2
conn = psycopg2.connect(host=sys.argv[2], port=5432, user="postgres", dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
PY
  "$PY" -c "import redis; [redis.Redis(host='$REDIS_HOST', port=6379, db=n).flushdb() for n in (12, 13)]" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say "冒烟部署：新建数据库 $DB"
"$PY" - "$DB" "$PG_HOST" <<'PY'
import sys, psycopg2
conn = psycopg2.connect(host=sys.argv[2], port=5432, user="postgres", dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
    cur.execute(f'CREATE DATABASE "{sys.argv[1]}"')
PY

# The environment of docs/deploy.md. The journey talks plain HTTP on loopback (nginx would do HTTPS), so the
# HTTPS redirect and the Secure flag of the cookies are off for this run only.
export DATABASE_URL="postgres://postgres@$PG_HOST:5432/$DB"
export CELERY_BROKER_URL="redis://$REDIS_HOST:6379/12"
unset CELERY_RESULT_BACKEND  # none in production: nothing reads task results (docs/deploy.md)
export REDIS_URL="redis://$REDIS_HOST:6379/13"
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
SIGNATURE_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY SIGNATURE_KEY DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export MEDIA_ROOT="$WORK/media" STATIC_ROOT="$WORK/static"
"$PY" -c "import redis; [redis.Redis(host='$REDIS_HOST', port=6379, db=n).flushdb() for n in (12, 13)]"

say "迁移数据库、收集静态文件、载入小规模演示数据"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py seed_demo --size small >/dev/null

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
export PUBLIC_BASE_URL="http://127.0.0.1:$PORT"
say "启动 gunicorn（2 个进程，127.0.0.1:$PORT）、Celery worker（celery 与 jobs 两个队列）和 beat"
"$BIN/gunicorn" pledge_site.wsgi -w 2 -b "127.0.0.1:$PORT" --access-logfile - >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
"$BIN/celery" -A pledge_site worker -Q celery,jobs --concurrency 2 --loglevel info -n "smoke-$$@%h" \
  >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
"$BIN/celery" -A pledge_site beat --loglevel info --pidfile "$WORK/beat.pid" >"$WORK/beat.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 1 60); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/accounts/login/', timeout=2)" \
    2>/dev/null && break
  sleep 0.5
done
for _ in $(seq 1 60); do grep -q "ready\." "$WORK/worker.log" && break; sleep 0.5; done
grep -q "ready\." "$WORK/worker.log" || { echo "!! Celery worker 30 秒内没有就绪。" >&2; exit 1; }

say "走一遍主要流程（deploy/smoke_journey.py）"
"$PY" deploy/smoke_journey.py "http://127.0.0.1:$PORT" --timeout 90

say "检查 beat 与 worker"
for i in "${!PIDS[@]}"; do
  kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "!! 第 $((i + 1)) 个服务进程已经退出。" >&2; exit 1; }
done
"$PY" manage.py shell -v 0 -c '
from django_celery_beat.models import PeriodicTask
names = set(PeriodicTask.objects.values_list("name", flat=True))
assert "resubmit-waiting-jobs" in names, names
print("  通过  beat 已把定时任务写入数据库调度表（%d 个）" % len(names))
'
grep -q "disclosure.tasks.run_job.*succeeded" "$WORK/worker.log" \
  || { echo "!! worker 日志里没有看到打印任务完成。" >&2; exit 1; }
echo "  通过  打印任务由 jobs 队列的 worker 完成"

stop_all
say "冒烟部署通过（用时 $(($(date +%s) - STARTED)) 秒），所有服务已停止"
