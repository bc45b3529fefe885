"""Hypothesis strategies for bad input: random Unicode, huge text, wrong types, mixed with valid values."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Lone surrogates cannot be sent as UTF-8 at all, so no browser can submit them.
CHARS = st.characters(exclude_categories=("Cs",))
text = st.text(CHARS, max_size=120)
huge = st.sampled_from(["长" * 60_000, "A" * 1_100_000, "<script>alert(1)</script>" * 3_000, "\n" * 50_000])
weird = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "None",
        "null",
        "-1",
        "0",
        "9" * 40,
        "1e309",
        "NaN",
        "-0.000",
        "2025-02-30",
        "0000-00-00",
        "١٢٣",
        "１２３",
        "💥🧨",
        "\u202etxt.exe",
        "<b>粗体</b>",
        "=1+1",
        "' OR 1=1 --",
        "../../etc/passwd",
        "%s%s%n",
        "{{ request }}",
    ]
)
numbers = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)).map(str)
# Wrong types as far as a form can get them: several values for one name.
several = st.lists(text, min_size=2, max_size=3)
junk = st.one_of(text, weird, numbers, several, huge)


def field(*valid) -> st.SearchStrategy:
    """One of the valid values (plain values or strategies)."""
    return st.one_of(*[v if isinstance(v, st.SearchStrategy) else st.just(v) for v in valid])


@st.composite
def mostly_valid(draw, fields: dict, bad=None, clean: int = 1):
    """A submission of valid values in which none, or up to four, fields are replaced by junk: about half of the
    examples (more with a larger `clean`) take the path that saves, the others break the form in a few places."""
    bad = junk if bad is None else bad
    data = {name: draw(strategy) for name, strategy in fields.items()}
    untouched = [st.just([])] * clean
    broken = draw(st.one_of(*untouched, st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)))
    for name in broken:
        data[name] = draw(bad)
    # None stands for a field the browser does not send at all (an unticked checkbox).
    return {name: value for name, value in data.items() if value is not None}


# Cells that openpyxl can write: no control characters, dates Excel knows, finite numbers.
cell_text = st.text(CHARS, max_size=80).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
cell_junk = st.one_of(
    st.none(),
    cell_text,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2200, 1, 1)),
    st.booleans(),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x")', "+1", "@SUM(A1)", "长" * 32_000]),
)


FAST = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def rolled_back():
    """One example's writes are undone afterwards, so examples do not see each other's rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def has_chinese(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message)
