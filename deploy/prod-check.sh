#!/usr/bin/env bash
# `make prod-check`: the production settings pass `check --deploy`, the migrations match the models, static files
# collect, and gunicorn with DEBUG off answers the login page, a public board and a static file.
# Runs against a throwaway SQLite file, or against DATABASE_URL when it is set (then nothing is written to it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
GUNICORN="${GUNICORN:-.venv/bin/gunicorn}"

say() { printf '== %s\n' "$*"; }
fail() { printf '!! %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d)"
GUNICORN_PID=""
cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Production-like environment: a secret made for this run only, DEBUG off, one allowed host.
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
SIGNATURE_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY SIGNATURE_KEY DEBUG=0 ALLOWED_HOSTS=127.0.0.1 STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND
if [ -n "${DATABASE_URL:-}" ]; then
  OWN_DB=0
  say "数据库：使用环境变量 DATABASE_URL 指定的数据库（只读检查，不写入）"
else
  OWN_DB=1
  export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
  say "数据库：临时 SQLite 文件（检查结束后删除）"
fi

say "1/5 部署检查：manage.py check --deploy --fail-level WARNING"
"$PY" manage.py check --deploy --fail-level WARNING || fail "部署检查未通过，请按上面的提示修改设置。"

say "2/5 迁移检查：模型改动都已生成迁移文件"
"$PY" manage.py makemigrations --check --dry-run >/dev/null || fail "有模型改动还没有生成迁移文件（运行 makemigrations 后提交）。"

say "3/5 收集静态文件到临时目录"
"$PY" manage.py collectstatic --noinput -v 0 || fail "collectstatic 失败。"
[ -f "$STATIC_ROOT/staticfiles.json" ] || fail "collectstatic 没有生成 staticfiles.json。"

if [ "$OWN_DB" = 1 ]; then
  say "4/5 准备临时数据库：迁移并载入小规模演示数据"
  "$PY" manage.py migrate --noinput -v 0 || fail "数据库迁移失败。"
  "$PY" manage.py seed_demo --size small >/dev/null || fail "载入演示数据失败。"
else
  say "4/5 检查数据库：所有迁移都已执行"
  "$PY" manage.py migrate --check >/dev/null || fail "数据库还有未执行的迁移，请先运行 manage.py migrate。"
fi
BOARD="$("$PY" manage.py shell -v 0 -c 'from organizations.models import Organization as O; o = O.objects.filter(is_active=True).order_by("path").first(); print(o.code if o else "")' | tail -n 1)"
[ -n "$BOARD" ] && BOARD_URL="/gs/$BOARD/" || BOARD_URL="/gs/"

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
say "5/5 启动 gunicorn（DEBUG=0，127.0.0.1:$PORT）并请求登录页、公开栏和静态文件"
# The smoke request is plain HTTP on loopback, so the redirect to HTTPS is off for it (nginx does HTTPS).
SECURE_SSL_REDIRECT=0 "$GUNICORN" pledge_site.wsgi -w 2 -b "127.0.0.1:$PORT" --log-level warning \
  >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

"$PY" - "$PORT" "$BOARD_URL" "$WORK/gunicorn.log" <<'PY' || fail "冒烟请求未通过。"
import sys
import time
import urllib.error
import urllib.request

port, board, log = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"


def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


deadline = time.monotonic() + 30
while True:
    try:
        get("/accounts/login/")
        break
    except OSError:
        if time.monotonic() > deadline:
            print("gunicorn 30 秒内没有开始接受连接。日志：\n" + open(log, encoding="utf-8").read())
            sys.exit(1)
        time.sleep(0.3)

ok = True
checks = [
    ("/accounts/login/", "登录页", "登录".encode()),
    (board, "公开栏", "公开".encode()),
    ("/static/css/site.css", "静态文件 site.css", None),
]
for path, label, needle in checks:
    status, headers, body = get(path)
    good = status == 200 and (needle is None or needle in body)
    print(f"   {'通过' if good else '失败'}  {label} {path} → {status}")
    ok &= good
status, headers, _ = get("/accounts/login/")
expected = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
for name, value in expected.items():
    good = headers.get(name) == value
    print(f"   {'通过' if good else '失败'}  响应头 {name}: {headers.get(name)}")
    ok &= good
csp = headers.get("Content-Security-Policy", "")
good = "script-src 'self'" in csp and "unsafe-" not in csp
print(f"   {'通过' if good else '失败'}  响应头 Content-Security-Policy: {csp}")
ok &= good
cookie = headers.get("Set-Cookie", "")
good = "csrftoken=" in cookie and "Secure" in cookie
print(f"   {'通过' if good else '失败'}  CSRF Cookie 带 Secure 标志")
ok &= good
if not ok:
    print("gunicorn 日志：\n" + open(log, encoding="utf-8").read())
sys.exit(0 if ok else 1)
PY
say "生产环境检查全部通过"
