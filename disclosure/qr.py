"""QR codes that lead from a paper notice board to its page on the web."""

import io
from functools import lru_cache

import segno
from django.conf import settings
from django.urls import reverse


def board_url(org) -> str:
    """The absolute public address of an organization's board."""
    return settings.PUBLIC_BASE_URL + reverse("disclosure:board", args=[org.code])


@lru_cache(maxsize=1024)
def qr_svg(url: str, scale: int = 4) -> str:
    # A board's address never changes: drawing its code once per process takes it off every page view.
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
