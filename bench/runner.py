"""`python manage.py bench`: every measurement of DESIGN §9 in one run, printed as one table and saved as JSON."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import env, load, pages, pdfs
from .report import Measurement, render_table, write_results

PARTS = ("queries", "pages", "tally", "pdf", "import")
P95_TARGET_MS = 200
THROUGHPUT_RATIO_TARGET = 0.25
TALLY_SECONDS_TARGET = 2.0
TALLY_RATIO_TARGET = 3.0
PDF_RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 500
IMPORT_SECONDS_TARGET = 60
IMPORT_MEMBERS = 20_000


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return ""


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except OSError:
        return ""


def _wrk_version() -> str:
    if not load.wrk_available():
        return ""
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout + ""
    return out.splitlines()[0].strip() if out else "wrk"


def _pg_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


# --- query counts ----------------------------------------------------------------------------------------------


def measure_queries(scene: pages.Scene, say) -> tuple[list[Measurement], dict]:
    rows, raw = [], {}
    for page in scene.pages:
        say(f"  查询次数：{page.label}")
        q = pages.page_queries(page, scene.appraisal)
        raw[page.key] = q
        value = f"{q['queries']}"
        ok, note, target = None, "", ""
        if "smaller" in q and "larger" in q:
            small, large = q["smaller"], q["larger"]
            value += f"（{small['label']} {small['queries']} / {large['label']} {large['queries']}）"
            ok = large["queries"] <= small["queries"]
            target = "不随行数增长"
        if page.minimal:
            target, ok = "1 次（基准页面）", q["queries"] == 1
        expected = 302 if page.ballot else 200
        if q["status"] != expected:
            ok, note = False, f"HTTP {q['status']}（应为 {expected}）"
        rows.append(
            Measurement(
                page.label, "SQL 查询次数", value, target=target, ok=ok, note=note, key=f"{page.key}.queries", details=q
            )
        )
    return rows, raw


# --- pages under load ----------------------------------------------------------------------------------------


def _ballot_codes(scene, seconds: float) -> list[str]:
    return pages.new_ballot_codes(scene.appraisal, load.codes_needed(250, seconds))


def measure_pages(
    scene: pages.Scene, *, seconds: float, workers: int, redis_url: str, tool: str, say
) -> tuple[list[Measurement], dict]:
    from .server import Gunicorn

    raw: dict = {}
    say(f"  启动 gunicorn（{workers} 个进程）并收集静态文件……")
    with Gunicorn(workers=workers, redis_url=redis_url) as server:
        if server.static_problem:
            say(
                f"  注意：collectstatic 失败，改用不带哈希文件名的静态文件存储（不影响页面耗时）：{server.static_problem}"
            )
            raw["static_problem"] = server.static_problem
        cookies = pages.session_cookies([p.user for p in scene.pages], server.secret_key)

        def request_for(page, codes=None):
            return pages.load_request(page, cookies, codes)

        # Every page answers as it should before any load: 200, or the ballot's redirect to its thanks page.
        for page in scene.pages:
            codes = pages.new_ballot_codes(scene.appraisal, 1) if page.ballot else None
            status, size, location = load.probe(server.base_url, request_for(page, codes))
            expected = 302 if page.ballot else 200
            if status != expected or (page.ballot and "thanks" not in location):
                raise RuntimeError(
                    f"{page.label}（{page.path}）返回 HTTP {status} {location}，应为 {expected}。\n{server.log_tail()}"
                )
            raw.setdefault(page.key, {})["bytes"] = size
        say("  预热各页面……")
        for page in scene.pages:
            if not page.ballot:
                load.run_load(server.base_url, request_for(page), connections=4, seconds=2, tool=tool)

        def run(page, connections):
            codes = _ballot_codes(scene, seconds) if page.ballot else None
            say(f"  {page.label}：{connections} 个并发客户端，{seconds:g} 秒……")
            result = load.run_load(
                server.base_url, request_for(page, codes), connections=connections, seconds=seconds, tool=tool
            )
            if page.ballot:
                result["codes"] = len(codes)
            return result

        minimal = scene.minimal
        before = {c: run(minimal, c) for c in (1, 8)}
        for page in scene.pages:
            if page.minimal:
                continue
            raw[page.key].update({f"c{c}": run(page, c) for c in (1, 8)})
        after = {c: run(minimal, c) for c in (1, 8)}
        raw[minimal.key].update({"before": before, "after": after})
    baseline = (before[8]["rps"] + after[8]["rps"]) / 2
    rows = [
        Measurement(
            minimal.label,
            "吞吐量（8 并发，前后两次）",
            f"{before[8]['rps']:,.0f} / {after[8]['rps']:,.0f} 次/秒",
            note=f"p95 {_ms(before[8]['p95_ms'])} / {_ms(after[8]['p95_ms'])} ms；作为吞吐量基准取平均 {baseline:,.0f} 次/秒",
            key="minimal.rps",
            details=raw[minimal.key],
        )
    ]
    for page in scene.pages:
        if page.minimal:
            continue
        c1, c8 = raw[page.key]["c1"], raw[page.key]["c8"]
        errors = c1["errors"] + c8["errors"]
        note = f"{errors} 个错误响应" if errors else ""
        ratio = c8["rps"] / baseline if baseline else 0
        rows += [
            Measurement(
                page.label,
                "p50 / p95（1 并发）",
                f"{_ms(c1['p50_ms'])} / {_ms(c1['p95_ms'])} ms",
                note=f"{c1['rps']:,.1f} 次/秒",
                key=f"{page.key}.c1",
                details=c1,
            ),
            Measurement(
                page.label,
                "p50 / p95（8 并发）",
                f"{_ms(c8['p50_ms'])} / {_ms(c8['p95_ms'])} ms",
                target=f"p95 ≤ {P95_TARGET_MS} ms",
                ok=c8["p95_ms"] is not None and c8["p95_ms"] <= P95_TARGET_MS and not errors,
                note=note,
                key=f"{page.key}.p95",
                details=c8,
            ),
            Measurement(
                page.label,
                "吞吐量（8 并发）/ 最小页面",
                round(ratio, 2),
                unit="倍",
                target=f"≥ {THROUGHPUT_RATIO_TARGET}",
                ok=ratio >= THROUGHPUT_RATIO_TARGET and not errors,
                note=f"{c8['rps']:,.1f} 次/秒",
                key=f"{page.key}.ratio",
            ),
        ]
    return rows, raw


# --- statistics, PDFs, import ---------------------------------------------------------------------------------


def measure_tally(scene: pages.Scene, say) -> tuple[list[Measurement], dict]:
    from django.utils import timezone

    from demo.commitments import data_date
    from evaluations.statistics import period_containing

    from .tally import COMPARED
    from .tally import measure_tally as run

    # The quarter the demo was built up to (`seed_demo` builds it up to the day it runs).
    period = period_containing(data_date(timezone.localdate()), "quarter")
    say(f"  全县 {period.display} 统计……")
    t = run(scene.county, period.label)
    group = f"全县季度统计（{period.display}）"
    rows = [
        Measurement(
            group,
            "compute_indicators 耗时",
            t["compute_s"],
            unit="s",
            target=f"≤ {TALLY_SECONDS_TARGET:g} s",
            ok=t["compute_s"] <= TALLY_SECONDS_TARGET,
            note=f"tally_build（计算并保存快照）{t['tally_build_s']:.2f} s",
            key="tally.compute",
            details=t,
        ),
        Measurement(group, "手写 SQL（一条语句，同样指标）", t["sql_s"], unit="s", key="tally.sql"),
        Measurement(
            group,
            "统计耗时 / 手写 SQL",
            t["ratio"],
            unit="倍",
            target=f"≤ {TALLY_RATIO_TARGET:g}",
            ok=t["ratio"] is not None and t["ratio"] <= TALLY_RATIO_TARGET,
            key="tally.ratio",
        ),
        Measurement(
            group,
            "两者结果一致",
            f"{len(COMPARED) - len(t['mismatches'])}/{len(COMPARED)} 项",
            target="全部一致",
            ok=not t["mismatches"],
            note="；".join(f"{k} {v['compute_indicators']}≠{v['sql']}" for k, v in t["mismatches"].items())[:120],
            key="tally.agree",
        ),
    ]
    return rows, t


def _register_branch(campaign):
    """The branch whose 附件4 has the number of published member pledges closest to 50."""
    from django.db.models import Count

    from commitments.models import Pledge
    from disclosure.selectors import PUBLIC_STATUSES
    from organizations.models import Organization

    rows = (
        Pledge.objects.filter(campaign=campaign, is_current=True, status__in=PUBLIC_STATUSES, member__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    best = min(rows, key=lambda r: (abs(r["n"] - 50), r["organization_id"]))
    return Organization.objects.get(pk=best["organization_id"])


def measure_pdfs(scene: pages.Scene, say) -> tuple[list[Measurement], dict]:
    campaign = scene.pledge.campaign
    branch = _register_branch(campaign)
    say(f"  附件4：{branch.name}……")
    reg = pdfs.measure_register(branch, campaign)
    say(f"  附件1（一式三份）：{scene.branch.name} 的承诺书……")
    one = pdfs.measure_pledge(scene.branch, campaign)
    county_pledges = pdfs.printable_member_pledges(scene.county, campaign)
    say(f"  附件1 批量：{scene.town.name} 全部党员（子进程，与后台任务相同）……")
    batch = pdfs.measure_town_batch(scene.town, campaign, "zhenwei", county_pledges)
    raw_county_s = one["raw_s"] * county_pledges
    batch_ratio = batch["per_pledge_s"] / one["raw_s"] if one["raw_s"] else None
    rows = [
        Measurement(
            "PDF",
            f"附件4（{reg['members']} 名党员，{reg['rows']} 行）",
            reg["app_s"],
            unit="s",
            target=f"≤ {PDF_RATIO_TARGET:g}× 原始 reportlab",
            ok=reg["ratio"] is not None and reg["ratio"] <= PDF_RATIO_TARGET,
            note=f"原始 reportlab {reg['raw_s']:.3f} s，{reg['ratio']} 倍；{reg['organization']}",
            key="pdf.register",
            details=reg,
        ),
        Measurement(
            "PDF",
            "附件1 一式三份（每份承诺书）",
            round(one["app_s"] * 1000, 1),
            unit="ms",
            target=f"≤ {PDF_RATIO_TARGET:g}× 原始 reportlab",
            ok=one["ratio"] is not None and one["ratio"] <= PDF_RATIO_TARGET,
            note=f"原始 reportlab {one['raw_s'] * 1000:.1f} ms，{one['ratio']} 倍（{one['pledges']} 份平均）",
            key="pdf.pledge",
            details=one,
        ),
        Measurement(
            "PDF",
            f"附件1 批量：{scene.town.name}（{batch['pledges']} 份）",
            batch["seconds"],
            unit="s",
            note=f"每份 {batch['per_pledge_s'] * 1000:.1f} ms（含查询、压缩和进度），zip {batch['zip_bytes'] / 1e6:.1f} MB",
            key="pdf.town",
            details=batch,
        ),
        Measurement(
            "PDF",
            "附件1 批量的峰值内存",
            batch["max_rss_mb"],
            unit="MB",
            target=f"≤ {MEMORY_TARGET_MB} MB",
            ok=batch["max_rss_mb"] <= MEMORY_TARGET_MB,
            note=f"运行中 {batch['rss_first_mb']} → {batch['rss_last_mb']} MB（每 0.5 秒采样）",
            key="pdf.memory",
        ),
        Measurement(
            "PDF",
            f"附件1 全县推算（{county_pledges:,} 份）",
            round(batch["county_estimate_s"] / 60, 1),
            unit="分钟",
            target=f"≤ {PDF_RATIO_TARGET:g}× 原始 reportlab",
            ok=batch_ratio is not None and batch_ratio <= PDF_RATIO_TARGET,
            note=f"原始 reportlab 约 {raw_county_s / 60:.1f} 分钟，{batch_ratio:.2f} 倍；一个进程",
            key="pdf.county",
        ),
    ]
    return rows, {"register": reg, "pledge": one, "town_batch": batch}


def measure_import(scene: pages.Scene, say) -> tuple[list[Measurement], dict]:
    from .imports import measure_import as run

    say(f"  导入 {IMPORT_MEMBERS:,} 名党员的 Excel（预检 + 导入，事务回滚）……")
    r = run(scene.town, IMPORT_MEMBERS)
    ok = r.get("preview_ok") and r.get("import_ok") and r.get("imported") == IMPORT_MEMBERS
    note = "" if ok else "导入未全部成功：" + "；".join(r.get("problems") or [])
    rows = [
        Measurement(
            "Excel 导入",
            f"预检 {IMPORT_MEMBERS:,} 行",
            r.get("preview_s"),
            unit="s",
            target=f"≤ {IMPORT_SECONDS_TARGET} s",
            ok=bool(ok) and r.get("preview_s", 1e9) <= IMPORT_SECONDS_TARGET,
            note=f"文件 {r.get('xlsx_bytes', 0) / 1e6:.1f} MB",
            key="import.preview",
            details=r,
        ),
        Measurement(
            "Excel 导入",
            f"导入 {IMPORT_MEMBERS:,} 名党员",
            r.get("import_s"),
            unit="s",
            target=f"≤ {IMPORT_SECONDS_TARGET} s",
            ok=bool(ok) and r.get("import_s", 1e9) <= IMPORT_SECONDS_TARGET,
            note=note or f"预检 + 导入共 {r.get('total_s')} s",
            key="import.commit",
        ),
    ]
    return rows, r


# --- the run -------------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    measurements: list[Measurement]
    meta: dict
    path: Path
    table: str


def run(
    *,
    size: str = "county",
    seconds: float = 10,
    skip_build: bool = False,
    reset: bool = False,
    workers: int = 4,
    parts: tuple[str, ...] = PARTS,
    tool: str = "auto",
    say: Callable[[str], None] = print,
) -> RunResult:
    redis_url = env.check_environment(settings.DATABASES["default"])
    if size != "county":
        # The larger size shows how page costs grow; PDFs and the import do not depend on it.
        parts = tuple(p for p in parts if p in ("queries", "pages", "tally"))
    started = timezone.localtime()
    say(f"数据库 {settings.DATABASES['default']['NAME']}，Redis {redis_url}；检查 {size} 规模数据……")
    data = env.ensure_data(size=size, reset=reset, skip_build=skip_build, say=say)
    scene = pages.build_scene()
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "size": size,
        "seconds_per_run": seconds,
        "gunicorn_workers": workers,
        "load_tool": "wrk" if (tool == "wrk" or (tool == "auto" and load.wrk_available())) else "python",
        "wrk": _wrk_version(),
        "cpus": os.cpu_count(),
        "load_average_start": _load_average(),
        "python": platform.python_version(),
        "postgresql": _pg_version(),
        "database": settings.DATABASES["default"]["NAME"],
        "redis": redis_url,
        "git_commit": _git_commit(),
        "data": pages.rows_hint() | {"built_now": data["built"]},
        "parts": list(parts),
    }
    measurements: list[Measurement] = []
    raw: dict = {}
    steps = {
        "queries": ("SQL 查询次数", lambda: measure_queries(scene, say)),
        "pages": (
            "页面延迟和吞吐量",
            lambda: measure_pages(scene, seconds=seconds, workers=workers, redis_url=redis_url, tool=tool, say=say),
        ),
        "tally": ("季度统计", lambda: measure_tally(scene, say)),
        "pdf": ("PDF", lambda: measure_pdfs(scene, say)),
        "import": ("Excel 导入", lambda: measure_import(scene, say)),
    }
    for part in PARTS:
        if part not in parts:
            continue
        title, step = steps[part]
        say(f"{title}：")
        t = time.perf_counter()
        rows, raw[part] = step()
        measurements += rows
        say(f"  完成（{time.perf_counter() - t:.0f} 秒）")
    meta["load_average_end"] = _load_average()
    meta["finished"] = timezone.localtime().isoformat(timespec="seconds")
    meta["raw"] = raw
    path = write_results(measurements, meta, now=started)
    title = (
        f"公开承诺管理系统性能测试 · {size} 规模（党员 {meta['data']['members']:,} 名，承诺事项 "
        f"{meta['data']['items']:,} 项）· {meta['started']} · {meta['cpus']} 核 · 负载 {meta['load_average_start']}"
        f" → {meta['load_average_end']} · {meta['load_tool']}"
    )
    return RunResult(measurements, meta, path, render_table(measurements, title))
