"""python manage.py render_report: any form, any organization, any period, as PDF or xlsx."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_renders_pian12_for_a_county_as_pdf_and_xlsx(tree, activities, tmp_path):
    out = io.StringIO()
    call_command("render_report", template="pian12", org="C", period="2025", out=str(tmp_path / "r.pdf"), stdout=out)
    assert "14 项 47 个空格" in out.getvalue() and "未下发填报" in out.getvalue()
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(tmp_path / "r.pdf").pages)
    assert "共组织\u20094\u2002" in text or "共组织4次理论学习" in text.replace("\u2009", "").replace("\u2002", "")
    assert "未报" in text  # entered blanks without an issued form are marked, not left empty
    call_command(
        "render_report", template="tongji", org="CA", period="2025Q3", out=str(tmp_path / "t.xlsx"), stdout=out
    )
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb["统计表"]["A1"].value == "公开承诺工作统计表"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"template": "nope", "org": "C", "period": "2025", "out": "r.pdf"}, "没有代码为“nope”的统计表"),
        ({"template": "pian12", "org": "ZZ", "period": "2025", "out": "r.pdf"}, "没有代码为“ZZ”的党组织"),
        ({"template": "pian12", "org": "C", "period": "2025Q5", "out": "r.pdf"}, "无法识别"),
        ({"template": "pian12", "org": "C", "period": "2025", "out": "r.doc"}, "扩展名"),
    ],
)
def test_wrong_arguments_say_what_is_wrong(tree, options, message, tmp_path):
    options = {**options, "out": str(tmp_path / options["out"])}
    with pytest.raises(CommandError, match=message):
        call_command("render_report", **options)
