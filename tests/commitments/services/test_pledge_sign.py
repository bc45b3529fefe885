"""定诺: the pledger signs the approved text (typed name or drawn signature, with his password)."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import LockedError, Pledge, Signature
from organizations.errors import DomainError
from tests.factories import PASSWORD
from tests.history import transitions

from ..conftest import fresh, name_of
from ..samples import blank_png, image_bytes, signature_png


def _sign(pledge, user, **kwargs):
    kwargs.setdefault("password", PASSWORD)
    return services.pledge_sign(pledge=pledge, by=user, **kwargs)


def _unchanged(pledge):
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert not Signature.objects.filter(pledge=pledge).exists()
    assert "签署承诺书" not in [c.label for c in transitions(pledge)]


def test_the_signature_keeps_the_sha256_of_the_canonical_text(world, pledge_in):
    pledge = pledge_in("approved", n=2)
    _sign(pledge, world.member.user, typed_name="王党员")
    sig = Signature.objects.get(pledge=pledge)
    assert sig.role == Signature.Role.PLEDGER and sig.method == Signature.Method.TYPED
    assert sig.signer == world.member.user and sig.signer_name == "王党员" and sig.signed_at
    assert sig.text_sha256 == pledge.text_sha256()
    assert sig.text_sha256 == hashlib.sha256(pledge.canonical_text().encode("utf-8")).hexdigest()
    # The pledge waits for the other side; the pledger's signature is recorded in its history.
    assert fresh(pledge).status == Pledge.Status.APPROVED
    signed = [c for c in transitions(pledge) if c.label == "签署承诺书"]
    assert [c.by for c in signed] == [world.member.user.username]


def test_the_canonical_text_names_what_is_signed(world, pledge_in):
    pledge = pledge_in("approved", n=2)
    text = pledge.canonical_text()
    assert world.member.name in text and world.tree.branch_a1.name in text
    assert "承诺事项2：帮助困难群众解决实际问题" in text
    assert '"revision":1' in text and '"deadline":"2025-06-30"' in text
    # Codes and 身份证号 may be corrected later without changing what was promised, so they are not signed.
    assert world.member.id_number not in text and world.tree.branch_a1.code not in text


def test_a_wrong_password_signs_nothing(world, pledge_in):
    pledge = pledge_in("approved")
    with pytest.raises(DomainError, match="密码不正确，未签署"):
        _sign(pledge, world.member.user, password="wrong-password", typed_name="王党员")
    _unchanged(pledge)


@pytest.mark.parametrize("typed", ["", "王 党员", "李书记", "wang"])
def test_the_typed_name_must_be_the_members_name(world, pledge_in, typed):
    pledge = pledge_in("approved")
    with pytest.raises(DomainError, match="输入的姓名须与登记的姓名“王党员”一致"):
        _sign(pledge, world.member.user, typed_name=typed)
    _unchanged(pledge)


def test_surrounding_spaces_in_the_typed_name_are_ignored(world, pledge_in):
    pledge = pledge_in("approved")
    _sign(pledge, world.member.user, typed_name=" 王党员 ")
    assert Signature.objects.get(pledge=pledge).signer_name == "王党员"


def test_a_drawn_signature_is_stored_as_png(world, pledge_in, settings):
    pledge = pledge_in("approved")
    png = signature_png()
    _sign(pledge, world.member.user, image_png=png)
    sig = Signature.objects.get(pledge=pledge)
    assert sig.method == Signature.Method.DRAWN and sig.signer_name == "王党员"
    assert sig.image.name.startswith("private/signatures/") and sig.image.name.endswith(".png")
    assert (Path(settings.MEDIA_ROOT) / sig.image.name).read_bytes() == png
    assert sig.text_sha256 == pledge.text_sha256()


@pytest.mark.parametrize(
    ("png", "message"),
    [
        (blank_png(), "签名板上没有笔迹"),
        (blank_png(color=(255, 255, 255, 255)), "签名板上没有笔迹"),
        (blank_png(size=(10, 10), color=(0, 0, 0, 255)), "签名图片尺寸不正确"),
        (image_bytes("JPEG", size=(300, 100)), "签名图片格式不正确"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "签名图片已损坏"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (301 * 1024), "签名图片过大"),
    ],
    ids=["transparent", "white", "tiny", "jpeg", "broken", "huge"],
)
def test_a_bad_drawn_signature_is_refused(world, pledge_in, png, message):
    pledge = pledge_in("approved")
    with pytest.raises(DomainError, match=message):
        _sign(pledge, world.member.user, image_png=png)
    _unchanged(pledge)


def test_signing_twice_is_refused(world, pledge_in):
    pledge = pledge_in("pledger_signed")
    with pytest.raises(DomainError, match="承诺方已经签署过了"):
        _sign(pledge, world.member.user, typed_name="王党员")
    assert Signature.objects.filter(pledge=pledge).count() == 1


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_nobody_signs_for_the_member(world, pledge_in, who):
    pledge = pledge_in("approved")
    user = getattr(world, who)
    with pytest.raises(PermissionDenied, match="只有承诺人本人可以签署承诺书"):
        _sign(pledge, user, typed_name="王党员")
    _unchanged(pledge)


def test_an_administrator_cannot_sign_in_a_members_name(world, people, pledge_in):
    pledge = pledge_in("approved")
    with pytest.raises((PermissionDenied, DomainError)):
        _sign(pledge, people.admin, typed_name="王党员")
    _unchanged(pledge)


@pytest.mark.parametrize("field", ["content", "deadline", "measures"])
def test_signed_content_is_locked(world, pledge_in, field):
    pledge = pledge_in("pledger_signed")
    it = pledge.items.get()
    original = getattr(it, field)
    setattr(it, field, None if field == "deadline" else "改过的内容")
    with pytest.raises(LockedError):
        it.save()
    with pytest.raises(LockedError):
        it.save(update_fields=[field])
    assert getattr(fresh(it), field) == original


def test_fulfilment_fields_stay_writable_after_signing(world, pledge_in):
    pledge = pledge_in("signed")
    it = pledge.items.get()
    it.needs_help = True
    it.help_note = "缺少资金"
    it.save(update_fields=["needs_help", "help_note"])
    assert fresh(it).needs_help
    assert Signature.objects.get(pledge=pledge, role="pledger").text_sha256 == fresh(pledge).text_sha256()


def test_an_organizations_pledge_is_signed_by_its_secretary(world, org_pledge_in):
    pledge = org_pledge_in("approved")
    with pytest.raises(PermissionDenied):
        _sign(pledge, world.clerk, typed_name=name_of(world.clerk))
    with pytest.raises(PermissionDenied):
        _sign(pledge, world.committee, typed_name=name_of(world.committee))
    assert not Signature.objects.filter(pledge=pledge).exists()
    _sign(pledge, world.secretary, typed_name="李书记")
    sig = Signature.objects.get(pledge=pledge)
    assert (sig.role, sig.signer, sig.signer_name) == ("pledger", world.secretary, "李书记")
