"""Every character of a name prints (issue 10): members named 王𠮷 (Extension B), 李䶮 (Extension A), 欧阳堃喆
and 阿不都热依木·买买提 on every notice-board form, exactly in the text layer, in stroke order on the register;
a character no font has is printed as 〓 and reported by render_pdf and by background jobs."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from commitments.models import Pledge
from disclosure import jobs, pdf
from disclosure.models import Job
from organizations.models import Organization
from tests.factories import MemberFactory, UserFactory
from tests.pdftext import flat, is_a4, page_sizes, page_texts, text

from .test_pdf import ORG_ITEMS, publish_member_pledge

NAMES = ("王𠮷", "李䶮", "欧阳堃喆", "阿不都热依木·买买提")
IN_STROKE_ORDER = ("王𠮷", "李䶮", "阿不都热依木·买买提", "欧阳堃喆")  # 4, 7, 7 (李 before 阿), 8 strokes
NO_FONT_HAS_IT = "\U0001fae0"


@pytest.fixture
def rare(world):
    """The four members, each with a published written pledge signed with his typed name."""
    pledges = {}
    for name in NAMES:
        member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name=name, post="村民小组长")
        pledges[name] = publish_member_pledge(world, member)
    return pledges


def embedded(data: bytes) -> list[str]:
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert "/FontFile2" in font["/FontDescriptor"]
            names.append(str(font["/BaseFont"]))
    return names


def test_member_pledge_prints_each_name_on_every_copy(rare):
    for name, pledge in rare.items():
        data = pdf.pledge_pdf(pledge)
        pages = page_texts(data)
        assert len(pages) == 3 and all(is_a4(size) for size in page_sizes(data))
        for page in pages:
            # In the particulars and as the typed signature.
            assert flat(page).count(name) >= 2, (name, page)
        # 𠮷 and 䶮 come from the fallback font, embedded as a subset; the other two names need none.
        uses_fallback = any(re.fullmatch(r"/[A-Z]{6}\+HanaMin[AB]", n) for n in embedded(data))
        assert uses_fallback == (name in ("王𠮷", "李䶮"))


def test_member_register_prints_the_names_in_stroke_order(world, rare):
    data = pdf.member_register_pdf(world.tree.branch_a1, world.campaign)
    layer = flat(text(data))
    positions = [layer.find(name) for name in IN_STROKE_ORDER]
    assert -1 not in positions and positions == sorted(positions), positions


def test_organization_forms_print_rare_names(world):
    Organization.objects.filter(pk=world.tree.branch_a1.pk).update(name="𠮷祥村党支部委员会", secretary_name="王𠮷")
    from tests.commitments.conftest import FULL_CHECKS, name_of
    from tests.factories import PASSWORD

    from .test_pdf import services

    org = Organization.objects.get(pk=world.tree.branch_a1.pk)
    pledge = services.pledge_create_for_organization(organization=org, by=world.clerk)
    items = [dict(i, responsible_person="李䶮") for i in ORG_ITEMS]
    services.pledge_update(pledge=pledge, by=world.clerk, items=items)
    services.pledge_submit(pledge=pledge, by=world.clerk)
    services.pledge_approve(pledge=pledge, by=world.committee, checks=FULL_CHECKS, comment="同意。")
    services.pledge_sign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    services.pledge_countersign(
        pledge=pledge, by=world.committee, password=PASSWORD, typed_name=name_of(world.committee)
    )
    services.pledge_publish(pledge=pledge, by=world.clerk)
    copies = page_texts(pdf.pledge_pdf(Pledge.objects.get(pk=pledge.pk)))  # 附件2
    assert all("𠮷祥村党支部委员会" in flat(c) and "王𠮷" in flat(c) and "李䶮" in flat(c) for c in copies)
    register = flat(text(pdf.organization_register_pdf(world.tree.town_a, world.campaign)))  # 附件3
    assert pdf.ORGANIZATION_REGISTER_TITLE == "党组织开展创先争优活动承诺登记（公示）表"
    assert pdf.ORGANIZATION_REGISTER_TITLE in register
    assert "𠮷祥村党支部委员会" in register and "李䶮" in register


@pytest.mark.parametrize("form", ["1", "4"])
def test_render_pdf_prints_the_four_names(world, rare, form, tmp_path):
    out = tmp_path / f"form{form}.pdf"
    if form == "1":
        for name, pledge in rare.items():
            call_command("render_pdf", form="1", org="CA1", member=pledge.member_id, out=str(out))
            assert name in flat(text(out.read_bytes()))
    else:
        call_command("render_pdf", form="4", org="CA1", out=str(out))
        layer = flat(text(out.read_bytes()))
        assert all(name in layer for name in NAMES)


def test_render_pdf_warns_about_characters_no_font_has(world, tmp_path):
    member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name=f"张{NO_FONT_HAS_IT}")
    publish_member_pledge(world, member)
    out, err = io.StringIO(), io.StringIO()
    call_command("render_pdf", form="4", org="CA1", out=str(tmp_path / "r.pdf"), stdout=out, stderr=err)
    assert "已生成" in out.getvalue()
    assert NO_FONT_HAS_IT in err.getvalue() and "U+1FAE0" in err.getvalue() and "〓" in err.getvalue()
    assert "张〓" in flat(text((tmp_path / "r.pdf").read_bytes()))
    err = io.StringIO()
    call_command("render_pdf", form="1", org="CA1", member=member.pk, out=str(tmp_path / "p.pdf"), stderr=err)
    assert "U+1FAE0" in err.getvalue()


def test_render_pdf_is_quiet_when_every_character_prints(world, rare, tmp_path):
    err = io.StringIO()
    call_command("render_pdf", form="4", org="CA1", out=str(tmp_path / "r.pdf"), stderr=err)
    assert err.getvalue() == ""


def test_a_print_job_reports_characters_no_font_has(world, rare):
    member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name=f"张{NO_FONT_HAS_IT}")
    publish_member_pledge(world, member)
    job = Job.objects.create(
        kind=Job.Kind.MEMBER_PLEDGES,
        organization=world.tree.town_a,
        campaign=world.campaign,
        started_by=world.committee,
    )
    job = jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert "U+1FAE0" in job.error and "〓" in job.error
    with job.result.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    layer = flat("".join(text(archive.read(name)) for name in archive.namelist()))
    assert all(name in layer for name in NAMES) and "张〓" in layer


def test_a_print_job_without_such_characters_has_no_warning(world, rare):
    job = Job.objects.create(
        kind=Job.Kind.MEMBER_REGISTERS,
        organization=world.tree.town_a,
        campaign=world.campaign,
        started_by=world.committee,
    )
    job = jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error == ""


def test_public_copy_has_no_birth_date_even_of_a_member_with_one(world):
    member = MemberFactory(
        organization=world.tree.branch_a1, user=UserFactory(), name="王𠮷", birth_date=datetime.date(1980, 2, 3)
    )
    pages = page_texts(pdf.pledge_pdf(publish_member_pledge(world, member)))
    assert "1980年2月" in flat(pages[0]) and "1980年2月" not in flat(pages[2])
