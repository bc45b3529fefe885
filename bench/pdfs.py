"""PDF timings: 附件4 of one branch and 附件1 in triplicate, each against raw reportlab laying out the same
text with the same embedded font (DESIGN §9: within 3×), and the batch of 附件1 for a whole town run as the
worker runs it, in a child process whose time and peak memory are measured and extrapolated to the county."""

from __future__ import annotations

import io
import json
import os
import statistics as pystats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

from commitments.models import Pledge, PledgeItem

REPEAT = 3


def _median(fn, repeat: int = REPEAT) -> float:
    fn()  # warm-up: fonts, templates and caches of the first document are not what is measured
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return pystats.median(times)


# --- raw reportlab: the same text, the same font, no application layout --------------------------------------


def _raw_styles():
    from reportlab.lib.styles import ParagraphStyle

    from disclosure.pdf import FONT

    return {
        "cell": ParagraphStyle("raw_cell", fontName=FONT, fontSize=9, leading=12.5, wordWrap="CJK"),
        "body": ParagraphStyle("raw_body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK"),
        "title": ParagraphStyle("raw_title", fontName=FONT, fontSize=20, leading=28, alignment=1),
    }


def _raw_table(rows, widths):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    from disclosure.pdf import FONT

    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )


def raw_register_pdf(rows: list[list[str]], title: str) -> bytes:
    """附件4's text as a plain platypus table on landscape A4: a title, the header, one row per item."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from disclosure.pdf import FONT, MARGIN, MEMBER_REGISTER_WIDTHS, REGISTER_COLUMNS

    s = _raw_styles()
    table_rows = [list(REGISTER_COLUMNS)]
    for row in rows:
        table_rows.append(
            [Paragraph(cell.replace("\n", "<br/>"), s["cell"]) if len(cell) > 6 else cell for cell in row]
        )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN, initialFontName=FONT)
    doc.build([Paragraph(title, s["title"]), _raw_table(table_rows, MEMBER_REGISTER_WIDTHS)])
    return buffer.getvalue()


def register_rows(pledges: list[Pledge]) -> list[list[str]]:
    from disclosure.pdf import _RegisterBlock

    rows = []
    for number, pledge in enumerate(pledges, 1):
        block = _RegisterBlock(name=pledge.member.name, post=pledge.member.post, pledge=pledge, responsible="本人")
        for item in block.items:
            rows.append([str(number), block.name, block.post, *block.cells(item)])
    return rows


def raw_pledge_pdf(pledge: Pledge) -> bytes:
    """附件1's text three times as plain platypus: title, particulars, intro, items table, review and signatures."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    from disclosure.pdf import COPY_LABELS, FONT, MARGIN, MEMBER_TITLE

    s = _raw_styles()
    member = pledge.member
    particulars = [
        ["姓名", member.name, "性别", member.get_gender_display()],
        ["政治面貌", member.get_political_status_display(), "入党时间", str(member.join_date or "")],
        ["所在党支部", pledge.organization.name, "承诺批次", pledge.campaign.name],
        ["职务/岗位", member.post or "—", "承诺形式", pledge.get_form_display()],
    ]
    items = [["序号", "承诺事项", "践诺措施", "完成时限"]]
    for item in pledge.items.all():
        items.append(
            [
                str(item.position),
                Paragraph(f"【{item.content_area}】{item.content}", s["cell"]),
                Paragraph(item.measures or "—", s["cell"]),
                str(item.deadline),
            ]
        )
    story = []
    for index, label in enumerate(COPY_LABELS):
        if index:
            story.append(PageBreak())
        story += [
            Paragraph(label, s["body"]),
            Paragraph(MEMBER_TITLE, s["title"]),
            _raw_table(particulars, [24 * mm, 61 * mm, 24 * mm, 61 * mm]),
            Spacer(1, 4 * mm),
            Paragraph("本人自愿参加创先争优活动，结合岗位职责和群众意愿，郑重作出以下公开承诺。", s["body"]),
            _raw_table(items, [12 * mm, 72 * mm, 56 * mm, 30 * mm]),
            Spacer(1, 4 * mm),
            Paragraph("审定意见：体现先进性要求、体现岗位职责特点、符合群众意愿、切实可行。", s["body"]),
            Paragraph(f"承诺人（签字）：{member.name}　　审定方（盖章）：{pledge.organization.name}", s["body"]),
        ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, initialFontName=FONT).build(story)
    return buffer.getvalue()


# --- the application's PDFs ------------------------------------------------------------------------------------


def measure_register(branch, campaign) -> dict:
    """附件4 of `branch`: median seconds of the application and of raw reportlab, and their ratio."""
    from disclosure import pdf
    from disclosure.selectors import member_pledges

    pledges = member_pledges(branch, campaign)
    rows = register_rows(pledges)
    app_s = _median(lambda: pdf.member_register_pdf(branch, campaign))
    raw_s = _median(lambda: raw_register_pdf(rows, pdf.MEMBER_REGISTER_TITLE))
    return {
        "organization": branch.name,
        "members": len(pledges),
        "rows": len(rows),
        "app_s": round(app_s, 4),
        "raw_s": round(raw_s, 4),
        "ratio": round(app_s / raw_s, 2) if raw_s else None,
        "bytes": len(pdf.member_register_pdf(branch, campaign)),
    }


def measure_pledge(branch, campaign, sample: int = 10) -> dict:
    """附件1 in triplicate for `sample` printable member pledges of `branch`: mean seconds per pledge of the
    application (including its queries) and of raw reportlab (text already in memory), and their ratio."""
    from disclosure import pdf
    from disclosure.jobs import PRINTABLE, _pledge

    ids = list(
        Pledge.objects.filter(organization=branch, campaign=campaign, is_current=True, status__in=PRINTABLE)
        .exclude(member__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[:sample]
    )
    loaded = [_pledge(pk) for pk in ids]
    from django.db.models import Prefetch, prefetch_related_objects

    prefetch_related_objects(loaded, Prefetch("items", queryset=PledgeItem.objects.order_by("position")))

    app_s = _median(lambda: [pdf.pledge_pdf(_pledge(pk)) for pk in ids]) / len(ids)
    raw_s = _median(lambda: [raw_pledge_pdf(p) for p in loaded]) / len(ids)
    return {
        "pledges": len(ids),
        "app_s": round(app_s, 4),
        "raw_s": round(raw_s, 4),
        "ratio": round(app_s / raw_s, 2) if raw_s else None,
    }


# --- the town batch in a child process ----------------------------------------------------------------------


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure_town_batch(town, campaign, by_username: str, county_pledges: int) -> dict:
    """Run the 附件1 job of `town` (every member's pledge in triplicate, zipped) in a child process as the
    Celery worker would, sampling its memory; extrapolate the time to the county's printable pledges."""
    media = tempfile.mkdtemp(prefix="pledge-bench-media-")
    env = dict(os.environ, MEDIA_ROOT=media, CELERY_BROKER_URL="")
    command = [sys.executable, "-m", "bench.child", "town-pledges", town.code, str(campaign.pk), by_username]
    samples: list[float] = []
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )

    def sample() -> None:
        while process.poll() is None:
            rss = _rss_mb(process.pid)
            if rss is not None:
                samples.append(rss)
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    sampler.join()
    _remove_tree(media)
    if process.returncode != 0:
        raise RuntimeError(f"附件1 批量任务失败：\n{err[-3000:]}")
    child = json.loads(out.strip().splitlines()[-1])
    per_pledge = child["seconds"] / child["pledges"] if child["pledges"] else 0
    return {
        **child,
        "wall_s": round(elapsed, 2),
        "rss_samples_mb": [round(x, 1) for x in samples[:: max(1, len(samples) // 40)]],
        "rss_first_mb": round(samples[0], 1) if samples else None,
        "rss_last_mb": round(samples[-1], 1) if samples else None,
        "per_pledge_s": round(per_pledge, 4),
        "county_pledges": county_pledges,
        "county_estimate_s": round(per_pledge * county_pledges, 1),
    }


def _remove_tree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def printable_member_pledges(org, campaign) -> int:
    from disclosure.jobs import PRINTABLE

    return Pledge.objects.filter(
        campaign=campaign,
        is_current=True,
        status__in=PRINTABLE,
        member__isnull=False,
        organization__path__startswith=org.path,
    ).count()
