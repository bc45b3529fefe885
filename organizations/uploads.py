"""Checking uploaded files by their content, not by their names: evidence of fulfilment (commitments), photos and
sign-in sheets of activities (organizations). One set of checks for every upload of the site."""

from __future__ import annotations

import zipfile

from PIL import Image

from .errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_KINDS = ("jpg", "png", "pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_KINDS = ("jpg", "png")
# What the file inputs offer (the browser's picker only; the content decides).
ACCEPT = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"


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
    if kind in IMAGE_KINDS:
        try:
            with Image.open(upload) as img:
                img.verify()
        except Exception:
            raise DomainError(f"图片“{upload.name}”已损坏，无法打开。") from None
        finally:
            upload.seek(0)
    return kind


def content_type_of(kind: str) -> str:
    """The Content-Type a checked file is served with (from its checked kind, never from its name)."""
    return CONTENT_TYPES.get(kind, "application/octet-stream")
