"""Checking uploaded evidence and signature images by their content, not by their names."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

from organizations.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_SIGNATURE_BYTES = 300 * 1024
ALLOWED_KINDS = ("jpg", "png", "pdf", "docx", "xlsx")


def sniff_kind(head: bytes, data_for_zip=None) -> str | None:
    """The kind of file from its first bytes (and, for Office files, the parts inside the zip)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and data_for_zip is not None:
        try:
            with zipfile.ZipFile(data_for_zip) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def check_attachment(upload) -> str:
    """Return the kind of an uploaded file, or raise DomainError with a Chinese reason."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(f"文件“{upload.name}”超过 10 MB，请压缩后再上传。")
    if upload.size == 0:
        raise DomainError(f"文件“{upload.name}”是空的。")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = sniff_kind(head, upload if head.startswith(b"PK") else None)
    upload.seek(0)
    if kind is None:
        raise DomainError(
            f"文件“{upload.name}”的类型不支持，只能上传照片（jpg、png）、PDF、Word（docx）或 Excel（xlsx）。"
        )
    if kind in ("jpg", "png"):
        try:
            with Image.open(upload) as img:
                img.verify()
        except Exception:
            raise DomainError(f"图片“{upload.name}”已损坏，无法打开。") from None
        finally:
            upload.seek(0)
    return kind


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
