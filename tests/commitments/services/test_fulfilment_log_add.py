"""践诺 logs with evidence: checked by content (not by name) and by size; only on pledges under way."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commitments import services
from commitments.models import Attachment, FulfilmentLog
from commitments.uploads import MAX_ATTACHMENT_BYTES
from organizations.errors import DomainError

from ..samples import PDF, SAMPLES, image_bytes, plain_zip_bytes, sample, upload

DAY = datetime.date(2025, 5, 20)


def _log(it, user, files=(), text="走访了三户困难群众。", happened_on=DAY):
    return services.fulfilment_log_add(item=it, by=user, happened_on=happened_on, text=text, files=list(files))


def _nothing_saved(settings):
    assert not FulfilmentLog.objects.exists() and not Attachment.objects.exists()
    evidence = Path(settings.MEDIA_ROOT) / "private" / "evidence"
    assert not evidence.exists() or not any(p.is_file() for p in evidence.rglob("*"))


def test_a_log_without_files(world, pledge_in):
    it = pledge_in("published").items.get()
    log = _log(it, world.member.user, text="  走访了三户  ")
    assert (log.item, log.by, log.text, log.happened_on) == (it, world.member.user, "走访了三户", DAY)
    assert not log.attachments.exists()


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_allowed_kind_is_accepted_by_its_content(world, pledge_in, settings, kind):
    it = pledge_in("published").items.get()
    upload_file = sample(kind)
    data = upload_file.read()
    upload_file.seek(0)
    log = _log(it, world.member.user, files=[upload_file])
    att = log.attachments.get()
    assert (att.kind, att.size, att.original_name) == (kind, len(data), SAMPLES[kind][0])
    assert att.is_image == (kind in ("jpg", "png"))
    assert att.file.name.startswith("private/evidence/")
    assert (Path(settings.MEDIA_ROOT) / att.file.name).read_bytes() == data


def test_several_files_on_one_log(world, pledge_in):
    it = pledge_in("signed").items.get()
    log = _log(it, world.member.user, files=[sample("jpg"), sample("pdf"), sample("xlsx")])
    assert sorted(log.attachments.values_list("kind", flat=True)) == ["jpg", "pdf", "xlsx"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("照片.jpg", "这其实是一段文字".encode(), "的类型不支持"),
        ("脚本.pdf", b"<script>alert(1)</script>", "的类型不支持"),
        ("压缩包.docx", plain_zip_bytes(), "的类型不支持"),
        ("程序.exe", b"MZ\x90\x00" + b"\0" * 100, "的类型不支持"),
        ("坏照片.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "已损坏，无法打开"),
        ("空文件.pdf", b"", "是空的"),
    ],
    ids=["text-as-jpg", "html-as-pdf", "zip-as-docx", "exe", "broken-jpg", "empty"],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(world, pledge_in, settings, name, data, message):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match=message):
        _log(it, world.member.user, files=[sample("png"), upload(name, data)])
    _nothing_saved(settings)


def test_a_file_over_10_mb_is_refused(world, pledge_in, settings):
    it = pledge_in("published").items.get()
    big = upload("扫描件.pdf", PDF + b"\0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF)))
    with pytest.raises(DomainError, match="超过 10 MB"):
        _log(it, world.member.user, files=[big])
    _nothing_saved(settings)


def test_a_file_of_exactly_10_mb_is_accepted(world, pledge_in):
    it = pledge_in("published").items.get()
    exact = upload("扫描件.pdf", PDF + b"\0" * (MAX_ATTACHMENT_BYTES - len(PDF)))
    assert _log(it, world.member.user, files=[exact]).attachments.get().size == MAX_ATTACHMENT_BYTES


def test_at_most_five_files(world, pledge_in, settings):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match="每条记录最多上传 5 个佐证材料"):
        _log(it, world.member.user, files=[sample("png") for _ in range(6)])
    _nothing_saved(settings)


def test_a_name_that_lies_about_the_content_is_not_kept(world, pledge_in):
    it = pledge_in("published").items.get()
    polyglot = image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"
    try:
        log = _log(it, world.member.user, files=[upload("photo.html", polyglot)])
    except DomainError:
        return
    att = log.attachments.get()
    assert att.file.name.endswith(".png") and att.original_name.endswith(".png")


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "completed", "superseded"])
def test_logs_only_on_signed_or_published_pledges(world, pledge_in, settings, state):
    it = pledge_in(state).items.get()
    with pytest.raises(DomainError, match="只有已签约、践诺中的承诺才能记录践诺情况"):
        _log(it, world.member.user, files=[sample("jpg")])
    _nothing_saved(settings)


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_only_the_pledging_side_logs(world, pledge_in, settings, who):
    it = pledge_in("published").items.get()
    with pytest.raises(PermissionDenied, match="只有承诺方可以记录践诺情况"):
        _log(it, getattr(world, who), files=[sample("jpg")])
    _nothing_saved(settings)


def test_the_branch_logs_for_an_oral_pledge(world, oral_pledge_in):
    it = oral_pledge_in("published").items.get()
    assert _log(it, world.clerk).by == world.clerk


def test_an_organizations_officers_log_for_it(world, org_pledge_in):
    it = org_pledge_in("published").items.get()
    _log(it, world.secretary)
    with pytest.raises(PermissionDenied):
        _log(it, world.committee)
    assert FulfilmentLog.objects.count() == 1


def test_a_log_needs_text_and_a_date_not_in_the_future(world, pledge_in, settings):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match="请填写践诺情况"):
        _log(it, world.member.user, text="   ")
    with pytest.raises(DomainError, match="践诺日期不能晚于今天"):
        _log(it, world.member.user, happened_on=timezone.localdate() + datetime.timedelta(days=1))
    _nothing_saved(settings)
    assert _log(it, world.member.user, happened_on=timezone.localdate())
