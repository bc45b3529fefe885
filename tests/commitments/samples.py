"""Small real files for upload and signature tests, built in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image, ImageDraw

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def image_bytes(fmt: str = "PNG", size=(40, 30), color="red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def signature_png(size=(300, 100)) -> bytes:
    """What the signature pad sends: dark strokes on a transparent background."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.line([(10, h - 20), (w // 3, 15), (w // 2, h - 25), (w - 15, 20)], fill=(20, 20, 20, 255), width=5)
    draw.line([(30, h // 2), (w - 40, h // 2 + 10)], fill=(0, 0, 0, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def blank_png(size=(300, 100), color=(0, 0, 0, 0)) -> bytes:
    """An untouched signature pad: one colour everywhere (transparent by default)."""
    buf = io.BytesIO()
    Image.new("RGBA", size, color).save(buf, "PNG")
    return buf.getvalue()


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>践诺情况说明</w:t></w:r></w:p></w:body></w:document>",
        )
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(["走访户数", 12])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plain_zip_bytes() -> bytes:
    """A zip archive that is no Office file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not an office file")
    return buf.getvalue()


SAMPLES = {
    "jpg": ("走访照片.jpg", lambda: image_bytes("JPEG")),
    "png": ("现场照片.png", lambda: image_bytes("PNG")),
    "pdf": ("情况报告.pdf", lambda: PDF),
    "docx": ("总结.docx", docx_bytes),
    "xlsx": ("台帐.xlsx", xlsx_bytes),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def sample(kind: str) -> SimpleUploadedFile:
    name, build = SAMPLES[kind]
    return upload(name, build())
