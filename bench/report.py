"""The result of a bench run: one Chinese table on the terminal and the same as JSON under bench/results/."""

from __future__ import annotations

import datetime
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils import timezone

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PASS, FAIL, NO_TARGET = "✔", "✘", "—"


@dataclass
class Measurement:
    """One line of the table: what was measured, the value, the target it is held to and whether it is met.

    `ok` is None when the line has no target (it is there to explain another line).
    """

    group: str
    label: str
    value: float | int | str | None
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""
    key: str = ""
    details: dict = field(default_factory=dict)

    @property
    def mark(self) -> str:
        if self.ok is None:
            return NO_TARGET
        return PASS if self.ok else FAIL

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            text = f"{self.value:,.0f}" if abs(self.value) >= 100 else f"{self.value:,.2f}".rstrip("0").rstrip(".")
        elif isinstance(self.value, int):
            text = f"{self.value:,}"
        else:
            text = str(self.value)
        return f"{text} {self.unit}".strip()


def display_width(text: str) -> int:
    """Columns the text takes on a terminal: Chinese characters and full-width marks take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


HEADERS = ("测量项", "结果", "目标", "达标", "说明")


def render_table(measurements: list[Measurement], title: str = "") -> str:
    """A plain-text table with a row per measurement, grouped; columns aligned for Chinese text."""
    rows = [(m.label, m.value_text, m.target or "—", m.mark, m.note) for m in measurements]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in rows]) for i, h in enumerate(HEADERS)]
    widths[-1] = min(widths[-1], 60)
    rule = "  ".join("─" * w for w in widths)
    lines = []
    if title:
        lines += [title, ""]
    lines += ["  ".join(_pad(h, w) for h, w in zip(HEADERS, widths, strict=True)).rstrip(), rule]
    group = None
    for m, row in zip(measurements, rows, strict=True):
        if m.group != group:
            if group is not None:
                lines.append("")
            lines.append(f"【{m.group}】")
            group = m.group
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append(rule)
    passed = sum(1 for m in measurements if m.ok is True)
    failed = sum(1 for m in measurements if m.ok is False)
    lines.append(f"达标 {passed} 项，未达标 {failed} 项。")
    return "\n".join(lines)


def result_document(measurements: list[Measurement], meta: dict) -> dict:
    """The JSON written for a run: when, where and with what, then every measurement."""
    return {
        "meta": meta,
        "summary": {
            "passed": sum(1 for m in measurements if m.ok is True),
            "failed": sum(1 for m in measurements if m.ok is False),
        },
        "measurements": [asdict(m) | {"mark": m.mark, "value_text": m.value_text} for m in measurements],
    }


def write_results(
    measurements: list[Measurement],
    meta: dict,
    directory: Path = RESULTS_DIR,
    now: datetime.datetime | None = None,
) -> Path:
    """Write bench/results/<YYYYmmdd-HHMMSS>.json (a second run in the same second gets a suffix)."""
    now = now or timezone.localtime()
    directory.mkdir(parents=True, exist_ok=True)
    stem = now.strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stem}.json"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.json"
    document = result_document(measurements, meta)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return path
