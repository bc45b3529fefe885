"""Load on one URL for a bounded time with N concurrent clients: wrk when installed, else a Python client.

Both give the same summary (see `stats.summarize`): requests, errors (responses ≥ 400 and socket errors),
throughput, and latency percentiles in milliseconds. Only loopback addresses are accepted.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .stats import summarize

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
JSON_MARK = "BENCH_JSON "
EXHAUSTED_CODE = "ZZZZZZZZZZZZZZZZ"  # asked for when a run outlasts its ballot codes: answered 404, counted an error


@dataclass
class Request:
    """What each client sends. With `codes`, `path` holds `{code}` and every request takes the next unused code."""

    path: str
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body: str = ""
    codes: list[str] | None = None


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string literal is a valid Lua string literal here


def wrk_script(request: Request, threads: int) -> str:
    """The Lua script for wrk: headers and body, the per-thread share of ballot codes, and a JSON summary."""
    lines = ["-- written by bench/load.py", f"wrk.method = {_lua_string(request.method)}"]
    if request.codes is None:
        lines.append(f"wrk.path = {_lua_string(request.path)}")
    for name, value in request.headers.items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    if request.body:
        lines.append(f"wrk.body = {_lua_string(request.body)}")
    lines += [
        f"local nthreads = {threads}",
        "local counter = 0",
        "function setup(thread)",
        "  thread:set('tid', counter)",
        "  counter = counter + 1",
        "end",
    ]
    if request.codes is not None:
        codes = ",".join(_lua_string(c) for c in request.codes)
        template = _lua_string(request.path.replace("{code}", "%s"))
        lines += [
            f"local codes = {{{codes}}}",
            "function init(args)",
            "  idx = (tid or 0) + 1",
            "end",
            "function request()",
            f"  local code = codes[idx] or {_lua_string(EXHAUSTED_CODE)}",
            "  idx = idx + nthreads",
            f"  return wrk.format(nil, string.format({template}, code))",
            "end",
        ]
    lines += [
        "function done(summary, latency, requests)",
        "  local e = summary.errors",
        "  io.write(string.format('" + JSON_MARK + '{"requests":%.0f,"duration_us":%.0f,"connect":%.0f,'
        '"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p95_us":%.0f,"p99_us":%.0f,'
        '"mean_us":%.0f,"max_us":%.0f}\\n\',',
        "    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,",
        "    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def parse_wrk_output(output: str) -> dict:
    """The summary printed by the script's done() as the same dict `stats.summarize` gives."""
    for line in output.splitlines():
        if line.startswith(JSON_MARK):
            raw = json.loads(line[len(JSON_MARK) :])
            break
    else:
        raise RuntimeError(f"wrk 没有输出结果：\n{output[-2000:]}")
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    requests = raw["requests"]
    return {
        "requests": int(requests),
        "errors": int(errors),
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 2) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "error_kinds": {k: int(raw[k]) for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
    }


def _check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"只对本机回环地址施加负载，不接受 {host}")


def run_wrk(base_url: str, request: Request, *, connections: int, seconds: float) -> dict:
    _check_loopback(base_url)
    threads = max(1, min(connections, os.cpu_count() or 1, 2))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(wrk_script(request, threads))
        script = fh.name
    try:
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script,
                base_url + (request.path if request.codes is None else "/"),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 90,
        )
    finally:
        os.unlink(script)
    result = parse_wrk_output(completed.stdout + completed.stderr)
    result["tool"] = "wrk"
    result["connections"] = connections
    return result


def run_python(base_url: str, request: Request, *, connections: int, seconds: float) -> dict:
    """The fallback: `connections` threads, each with its own keep-alive connection (reopened when the server
    closes it), for `seconds`."""
    _check_loopback(base_url)
    parts = urlsplit(base_url)
    codes = iter(request.codes) if request.codes is not None else None
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def next_path() -> str:
        if codes is None:
            return request.path
        with lock:
            code = next(codes, EXHAUSTED_CODE)
        return request.path.replace("{code}", code)

    def client() -> None:
        conn = None
        mine: list[float] = []
        failed = 0
        body = request.body.encode() if request.body else None
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            started = time.perf_counter()
            try:
                conn.request(request.method, next_path(), body=body, headers=request.headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = None
                continue
            mine.append(time.perf_counter() - started)
            if response.status >= 400:
                failed += 1
            if (response.getheader("connection") or "").lower() == "close":
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    result = summarize(latencies, time.monotonic() - started, errors[0])
    result["tool"] = "python"
    result["connections"] = connections
    return result


def run_load(base_url: str, request: Request, *, connections: int, seconds: float, tool: str = "auto") -> dict:
    if tool == "wrk" or (tool == "auto" and wrk_available()):
        return run_wrk(base_url, request, connections=connections, seconds=seconds)
    return run_python(base_url, request, connections=connections, seconds=seconds)


def probe(base_url: str, request: Request) -> tuple[int, int, str]:
    """One request as the load will send it: (status, body length, Location header)."""
    _check_loopback(base_url)
    parts = urlsplit(base_url)
    path = request.path if request.codes is None else request.path.replace("{code}", request.codes[0])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(request.method, path, body=request.body.encode() or None, headers=request.headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), response.getheader("location") or ""
    finally:
        conn.close()


def codes_needed(rps_guess: float, seconds: float, margin: float = 3.0) -> int:
    return int(max(200, rps_guess * seconds * margin))
