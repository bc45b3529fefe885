"""A gunicorn of this site on a free loopback port, in production mode, for the duration of the page runs."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(*, secret_key: str, static_root: str, redis_url: str, base: dict | None = None) -> dict:
    """The environment of the measured site: DEBUG off, no HTTPS redirect (plain HTTP on loopback), a throwaway
    secret shared with the bench process so that the sessions it creates are valid there."""
    env = dict(os.environ if base is None else base)
    env.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECRET_KEY=secret_key,
        # DEBUG off needs the seal key too; the bench process's own, so that seals it made check on the server.
        SIGNATURE_KEY=settings.SIGNATURE_KEY,
        STATIC_ROOT=static_root,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("REDIS_URL", redis_url)
    return env


class Gunicorn:
    """`with Gunicorn(workers=4, redis_url=...) as server:` → server.base_url, server.secret_key."""

    def __init__(self, *, workers: int, redis_url: str, worker_class: str = "sync", threads: int = 1):
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.redis_url = redis_url
        self.secret_key = "bench-" + secrets.token_urlsafe(40)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.tmp = tempfile.mkdtemp(prefix="pledge-bench-")
        self.static_root = os.path.join(self.tmp, "static")
        self.log_path = os.path.join(self.tmp, "gunicorn.log")
        self.static_problem = ""
        self.env = server_environment(secret_key=self.secret_key, static_root=self.static_root, redis_url=redis_url)

    def __enter__(self) -> Gunicorn:
        try:
            self._collectstatic()
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _collectstatic(self) -> None:
        """DEBUG=0 serves hashed file names from the manifest; build it in a temporary STATIC_ROOT. When the
        production storage cannot collect the files, serve with plain names (`server_settings`) and say why."""
        done = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
            errors = [line for line in lines if "Error" in line]
            self.static_problem = (errors or lines or [f"collectstatic 退出码 {done.returncode}"])[-1].strip()
            self.env["DJANGO_SETTINGS_MODULE"] = "bench.server_settings"

    def _start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "pledge_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--timeout",
            "120",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn 启动失败：\n{self.log_tail()}")
            if _answers(self.port):
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn 60 秒内没有响应：\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the arbiter stops its own workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/gs/")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False
