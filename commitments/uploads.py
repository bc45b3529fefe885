"""Checking uploaded evidence and signature images by their content, not by their names."""

from __future__ import annotations

import io

from PIL import Image

from organizations.errors import DomainError

# The checks every upload shares live in organizations.uploads; commitments adds the signature image.
from organizations.uploads import ALLOWED_KINDS, MAX_ATTACHMENT_BYTES, check_attachment, sniff_kind

__all__ = [
    "ALLOWED_KINDS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_SIGNATURE_BYTES",
    "check_attachment",
    "check_signature_png",
    "signature_has_ink",
    "sniff_kind",
]

MAX_SIGNATURE_BYTES = 300 * 1024


def check_signature_png(data: bytes) -> bytes:
    if not data:
        raise DomainError("请先在签名板上签名。")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise DomainError("签名图片过大。")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError("签名图片格式不正确。")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            width, height = img.size
    except Exception:
        raise DomainError("签名图片已损坏。") from None
    if width < 50 or height < 20 or width > 3000 or height > 2000:
        raise DomainError("签名图片尺寸不正确。")
    return data


def signature_has_ink(data: bytes) -> bool:
    """A blank pad gives a fully transparent or single-colour image."""
    with Image.open(io.BytesIO(data)) as img:
        red, green, blue, alpha = img.convert("RGBA").getextrema()
    if alpha[1] == 0:
        return False  # fully transparent
    return alpha[0] != alpha[1] or any(lo != hi for lo, hi in (red, green, blue))
