"""QR codes that lead from a paper notice board to its page on the web."""

import io

import segno
from django.conf import settings
from django.urls import reverse


def board_url(org) -> str:
    """The absolute public address of an organization's board."""
    return settings.PUBLIC_BASE_URL + reverse("disclosure:board", args=[org.code])


def qr_svg(url: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
