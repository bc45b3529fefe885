"""The text in which a statistics form is written: one item per line, blanks in braces.

    创先争优活动以来，本部门共组织{activity.study.count}次理论学习，{activity.study.participants}人次党员干部参加学习。
    其中{填报:人次}人次被评为{填报文字:称号}。

- ``{<indicator code>}``: a computed blank (see reporting.indicators);
- ``{填报:说明}`` a number the organization enters, ``{填报金额:说明}`` an amount in yuan, ``{填报文字:说明}``
  words (names, titles). Entered numbers add up over the subtree; words are listed.

A leading item number ("1." "1、" "（1）") is dropped: items are numbered by their order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from organizations.errors import DomainError

from .indicators import describe
from .models import ReportBlank

BLANK_RE = re.compile(r"\{([^{}]*)\}")
NUMBER_RE = re.compile(r"^\s*(?:\d+\s*[.．、]|[（(]\d+[)）])\s*")
ENTERED = {
    "填报": ReportBlank.ValueType.COUNT,
    "填报金额": ReportBlank.ValueType.AMOUNT,
    "填报文字": ReportBlank.ValueType.TEXT,
}
MAX_ITEMS = 60


@dataclass
class ParsedBlank:
    source: str
    indicator: str
    label: str
    value_type: str


@dataclass
class ParsedItem:
    text: str  # the sentence with each blank written as {n}, n counting from 1 within the item
    blanks: list[ParsedBlank] = field(default_factory=list)


def parse_source(source: str) -> list[ParsedItem]:
    """The items of a form written as text; a Chinese error naming the line for anything wrong."""
    items: list[ParsedItem] = []
    errors: list[str] = []
    for number, raw in enumerate((source or "").splitlines(), 1):
        line = NUMBER_RE.sub("", raw.strip())
        if not line:
            continue
        item = ParsedItem("")
        parts, last = [], 0
        for match in BLANK_RE.finditer(line):
            parts.append(line[last : match.start()])
            inner = match.group(1).strip()
            head, sep, tail = inner.partition(":")
            if not sep:
                head, sep, tail = inner.partition("：")
            try:
                if head in ENTERED:
                    label = tail.strip()
                    if not label:
                        raise DomainError(f"“{{{inner}}}”缺少说明，应写作 {{{head}:说明}}。")
                    item.blanks.append(ParsedBlank(ReportBlank.Source.ENTERED, "", label[:100], ENTERED[head]))
                elif not inner:
                    raise DomainError("有一处空的 {}，请写指标代码或“填报:说明”。")
                else:
                    info = describe(inner)
                    item.blanks.append(ParsedBlank(ReportBlank.Source.COMPUTED, info.code, info.label, info.value_type))
            except DomainError as exc:
                errors.append(f"第{number}行：{exc}")
            parts.append(f"{{{len(item.blanks)}}}")
            last = match.end()
        parts.append(line[last:])
        item.text = "".join(parts)
        if "{" in BLANK_RE.sub("", line) or "}" in BLANK_RE.sub("", line):
            errors.append(f"第{number}行：大括号不配对。")
        if not item.blanks:
            errors.append(f"第{number}行：没有空格。每一项至少有一个 {{指标代码}} 或 {{填报:说明}}。")
        items.append(item)
    if not items and not errors:
        errors.append("表样不能为空：每行写一项。")
    if len(items) > MAX_ITEMS:
        errors.append(f"一张统计表最多 {MAX_ITEMS} 项。")
    if errors:
        raise DomainError("\n".join(errors))
    return items
