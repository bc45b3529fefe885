"""A scripted journey over HTTP against a running deployment (standard library only).

    python deploy/smoke_journey.py http://127.0.0.1:8000 [--username shuji] [--password gongkai@2025]

The demo secretary logs in, opens the ledger, prints 附件4 for his branch as a background job and downloads the
zip; then, as the public, opens the branch's board, sends a supervision report and finds it by its tracking
number. Prints one Chinese line per step; exits non-zero at the first step that fails.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import io
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile


class StepFailed(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A cookie jar and a CSRF token, like one person's browser."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
            req.add_header("Referer", url)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, dict, bytes]:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **data})


def text_of(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def location(headers: dict) -> str:
    return headers.get("Location", "")


def journey(base: str, username: str, password: str, timeout: float) -> None:
    staff = Browser(base)

    status, _, body = staff.get("/accounts/login/")
    expect(status == 200 and "登录" in text_of(body), f"登录页打不开（{status}）")
    status, headers, body = staff.post("/accounts/login/", {"username": username, "password": password, "next": ""})
    expect(status == 302, f"登录失败（{status}）：{text_of(body)[:200]}")
    status, _, body = staff.get(location(headers) or "/")
    expect(status == 200 and "退出" in text_of(body), f"登录后首页不正常（{status}）")
    print(f"  通过  {username} 登录")

    status, _, body = staff.get("/ledger/")
    expect(status == 200 and "承诺台帐" in text_of(body), f"承诺台帐打不开（{status}）")
    print("  通过  打开承诺台帐")

    status, _, body = staff.get("/print/")
    expect(status == 200, f"打印与导出页打不开（{status}）")
    found = re.search(r'name="org" value="([^"]+)"', text_of(body))
    expect(found is not None, "打印与导出页上找不到党组织代码")
    code = html.unescape(found.group(1))
    status, headers, body = staff.post("/jobs/start/", {"kind": "member_registers", "org": code})
    job_url = location(headers)
    expect(status == 302 and re.search(r"/jobs/\d+/$", job_url), f"发起打印任务失败（{status} → {job_url}）")
    started = time.monotonic()
    while True:
        status, _, body = staff.get(job_url)
        page = text_of(body)
        expect(status == 200, f"任务页打不开（{status}）")
        if 'id="job-download"' in page:
            break
        state = re.search(r'id="job-state">([^<]*)<', page)
        expect(not (state and "失败" in state.group(1)), "打印任务失败：" + re.sub(r"<[^>]+>", " ", page)[-400:])
        expect(time.monotonic() - started < timeout, f"打印任务 {timeout:.0f} 秒内没有完成（后台任务进程在运行吗？）")
        time.sleep(0.5)
    print(f"  通过  后台打印任务（附件4，{code}）{time.monotonic() - started:.1f} 秒完成")

    status, headers, body = staff.get(job_url + "download/")
    expect(status == 200, f"下载压缩包失败（{status}）")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        expect(names and len(names) == len(set(names)), f"压缩包内容不对：{names}")
        expect(all(n.startswith("附件4_") for n in names), f"压缩包里有意外的文件：{names}")
        expect(all(archive.read(n).startswith(b"%PDF-") for n in names), "压缩包里的文件不是 PDF")
    print(f"  通过  下载压缩包（{len(names)} 个 PDF，{len(body) // 1024} KB）")

    public = Browser(base)
    board = f"/gs/{urllib.parse.quote(code)}/"
    status, _, body = public.get(board)
    expect(status == 200 and "公开" in text_of(body), f"公开栏打不开（{status}）")
    print(f"  通过  群众打开公开栏 {board}")
    report_text = f"冒烟测试的监督意见：村口路灯坏了，请尽快修理。{int(time.time())}"
    status, _, body = public.post(
        board + "supervise/", {"kind": "supervision", "item": "", "text": report_text, "name": "", "phone": ""}
    )
    found = re.search(r'id="tracking-number">([A-Z0-9]+)<', text_of(body))
    expect(status == 200 and found is not None, f"提交监督意见失败（{status}）")
    number = found.group(1)
    print(f"  通过  提交监督意见，查询编号 {number}")

    status, _, body = public.get(f"/gs/track/?number={number}")
    expect(status == 200 and report_text in html.unescape(text_of(body)), f"凭查询编号查不到这条意见（{status}）")
    print("  通过  凭查询编号查到这条意见")

    status, headers, _ = staff.post("/accounts/logout/", {})
    expect(status == 302, f"退出登录失败（{status}）")
    print("  通过  退出登录")


def main() -> int:
    parser = argparse.ArgumentParser(description="对运行中的站点走一遍主要流程（冒烟测试）。")
    parser.add_argument("base", help="站点地址，例如 http://127.0.0.1:8000")
    parser.add_argument("--username", default="shuji")
    parser.add_argument("--password", default="gongkai@2025")
    parser.add_argument("--timeout", type=float, default=90, help="等待后台任务完成的秒数")
    args = parser.parse_args()
    try:
        journey(args.base, args.username, args.password, args.timeout)
    except (StepFailed, OSError, zipfile.BadZipFile) as e:
        print(f"  失败  {e}")
        return 1
    print("冒烟流程全部通过")
    return 0


if __name__ == "__main__":
    sys.exit(main())
