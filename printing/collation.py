"""Official order of Chinese names: by the stroke count of the surname (姓氏笔画), then of the characters after it.

Stroke counts are Unihan's kTotalStrokes (data/kTotalStrokes.txt, written from the Unicode Character Database by
data/build_strokes.py), which covers the basic block and every extension, so a rare character in a name has its
true count instead of falling to the end. Characters with the same count keep their code point order, which in
the CJK blocks is radical order; characters without a count (letters, the middle dot of minority names) come
after all Chinese characters. Callers add their own last tie-break (an id) so that the order is stable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

DATA = Path(__file__).resolve().parent / "data" / "kTotalStrokes.txt"
NO_COUNT = 1000  # after every real count
_BLOCK = 64

T = TypeVar("T")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = {}
    with DATA.open(encoding="ascii") as source:
        for line in source:
            if line.startswith("#"):
                continue
            start, counts = line.split()
            table[int(start, 16) // _BLOCK] = counts
    return table


def strokes(char: str) -> int | None:
    """The total stroke count of a Chinese character, or None."""
    code = ord(char)
    row = _table().get(code // _BLOCK)
    if row is None:
        return None
    count = ord(row[code % _BLOCK]) - 33
    return count or None


def name_key(name: str) -> tuple:
    """Sort key of a name: per character its stroke count, then its code point."""
    key = []
    for char in (name or "").strip():
        count = strokes(char)
        key.append((NO_COUNT if count is None else count, ord(char)))
    return tuple(key)


def by_strokes(items: Iterable[T], name: Callable[[T], str], tie: Callable[[T], object] = lambda _: 0) -> list[T]:
    """`items` sorted by the stroke order of `name(item)`, then by `tie(item)`."""
    return sorted(items, key=lambda item: (name_key(name(item)), tie(item)))
