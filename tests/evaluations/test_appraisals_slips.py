"""The printed code slips: ten to an A4 page, every code and the instruction on them, fonts embedded, and
QR codes that lead to the ballot page of their own code."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evaluations.models import BallotCode
from evaluations.slips import INSTRUCTION, ballot_url, slips_pdf

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import services


@pytest.fixture
def session_with_codes(world, open_appraisal):
    appraisal = open_appraisal()
    codes = [c.code for c in services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=23)]
    return appraisal, codes


def test_ten_slips_a_page_with_every_code_and_the_instruction(session_with_codes):
    appraisal, codes = session_with_codes
    reader = PdfReader(io.BytesIO(slips_pdf(appraisal, codes)))
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    assert first.count(INSTRUCTION) == 10
    assert "甲镇一村党支部" in first and "2025年上半年群众评议" in first
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert all(code in text for code in codes)
    assert "第3页共3页" in text


def test_every_font_is_embedded(session_with_codes):
    appraisal, codes = session_with_codes
    reader = PdfReader(io.BytesIO(slips_pdf(appraisal, codes[:3])))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_the_qr_code_leads_to_the_ballot_page_of_its_code(session_with_codes, settings, tmp_path):
    appraisal, codes = session_with_codes
    assert ballot_url(codes[0]) == settings.PUBLIC_BASE_URL + reverse("evaluations:ballot_vote", args=[codes[0]])
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm is not installed")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(slips_pdf(appraisal, codes[:10]))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    found = {r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))}
    assert found == {settings.PUBLIC_BASE_URL + f"/pj/{code}/" for code in codes[:10]}


def test_the_download_holds_only_unused_codes(client, world, session_with_codes):
    appraisal, codes = session_with_codes
    services.ballot_cast(code=codes[0], choices={"overall": "satisfied"})
    client.force_login(world.committee)
    response = client.get(reverse("evaluations:appraisal_slips", args=[appraisal.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert (
        "attachment" not in response["Content-Disposition"] and "filename*=UTF-8''" in response["Content-Disposition"]
    )
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert codes[0] not in text and all(code in text for code in codes[1:])
    assert BallotCode.objects.filter(used_at__isnull=True).count() == 22


def test_public_base_url_is_what_the_slips_print(session_with_codes, settings):
    settings.PUBLIC_BASE_URL = "https://dj.example.gov.cn"
    appraisal, codes = session_with_codes
    text = "".join(PdfReader(io.BytesIO(slips_pdf(appraisal, codes[:1]))).pages[0].extract_text().split())
    assert "dj.example.gov.cn/pj/" in text
    assert ballot_url(codes[0]) == f"https://dj.example.gov.cn/pj/{codes[0]}/"
    assert settings.PUBLIC_BASE_URL.startswith("https://")
