"""The text layer of a PDF as a reader copies it: poppler's pdftotext where installed (CI installs
poppler-utils), pypdf otherwise. Both read the ToUnicode maps, so a character a PDF maps wrongly is wrong here."""

import io
import re
import shutil
import subprocess

from pypdf import PdfReader

PDFTOTEXT = shutil.which("pdftotext")


def page_texts(data: bytes) -> list[str]:
    """The text of each page, in the order the content stream draws it (a cell's lines stay together)."""
    if PDFTOTEXT:
        out = subprocess.run(
            [PDFTOTEXT, "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8")
        pages = out.split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def text(data: bytes) -> str:
    return "\n".join(page_texts(data))


def flat(value: str) -> str:
    """Text without the spaces and line breaks that wrapping puts into extracted text."""
    return re.sub(r"\s+", "", value)


def page_sizes(data: bytes) -> list[tuple[int, int]]:
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(data)).pages
    ]


def is_a4(size: tuple[int, int]) -> bool:
    return sorted(size) == [595, 842]
