"""Signatures that verify what was signed, and only that (定诺, 篇一: 承诺书 signed by both parties).

The signed text is the canonical content as printed; roster and organization edits that are not part of it
never invalidate a signature; a rewrite of the stored text and its digest together is caught by the seal,
whose key is outside the database; the sign forms carry the digest the signer saw.
"""

import importlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from commitments import services, signing
from commitments.models import Pledge, PledgeItem, Signature
from organizations import services as org_services
from organizations.errors import DomainError
from organizations.models import Member
from tests.factories import PASSWORD

from .conftest import FULL_CHECKS


def _verify(capsys):
    """Run verify_signatures; (ok, stdout + stderr)."""
    try:
        call_command("verify_signatures")
        ok = True
    except CommandError:
        ok = False
    out = capsys.readouterr()
    return ok, out.out + out.err


def test_the_signed_text_is_stored_with_its_digest_and_seal(world, published):
    pledge = published()
    for sig in Signature.objects.filter(pledge=pledge):
        content = json.loads(sig.signed_text)
        assert content["pledger"]["name"] == "王党员" and content["pledger"]["organization"] == "甲镇一村党支部"
        assert [i["position"] for i in content["items"]] == [1, 2, 3]
        assert sig.text_sha256 == signing.sha256(sig.signed_text)
        assert sig.seal == signing.seal_of(sig) and sig.seal_key_id == signing.key_id()
        assert signing.check(sig).ok


def test_renaming_and_recoding_the_branch_and_correcting_an_id_number_through_the_ui_keep_signatures_valid(
    client, world, published, capsys
):
    """The reported false alarm: ordinary edits through the edit pages made signatures 'inconsistent'."""
    pledge = published()
    branch = world.tree.branch_a1
    client.force_login(world.clerk)
    response = client.post(
        reverse("organizations:edit", args=[branch.code]),
        {
            "code": "CA1X",
            "name": "中共甲镇一村党支部委员会",
            "level": branch.level,
            "sector": branch.sector,
            "supervision_phone": branch.supervision_phone,
            "secretary_name": "李书记",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Member.objects.get(pk=world.member.pk)
    birth = member.birth_date
    corrected = org_services.normalize_id_number(_other_valid_id(member.id_number, birth))
    org_services.member_update(member=member, by=world.clerk, id_number=corrected, name="王党圆")
    ok, out = _verify(capsys)
    assert ok, out
    assert "全部与签署时一致" in out and Signature.objects.filter(pledge=pledge).count() == 2


def _other_valid_id(id_number: str, birth) -> str:
    from organizations.validators import id_number_check_code

    first17 = id_number[:14] + f"{(int(id_number[14:17]) + 2) % 1000:03d}"
    return first17 + id_number_check_code(first17)


def test_a_changed_item_is_reported_by_item_and_field(world, published, capsys):
    pledge = published()
    PledgeItem.objects.filter(pledge=pledge, position=2).update(content="被改过的内容")
    ok, out = _verify(capsys)
    assert not ok
    assert "第2项的承诺事项由“承诺事项2：帮助困难群众解决实际问题”变为“被改过的内容”" in out
    assert out.count("承诺方签名") == 1 and out.count("审定方签名") == 1


def test_rewriting_the_text_and_its_digest_together_is_caught_by_the_seal(world, published, capsys):
    """Someone with database access rewrites what was signed and recomputes the SHA-256: the seal says no."""
    pledge = published()
    PledgeItem.objects.filter(pledge=pledge, position=1).update(content="事后改写的承诺")
    for sig in Signature.objects.filter(pledge=pledge):
        content = json.loads(sig.signed_text)
        content["items"][0]["content"] = "事后改写的承诺"
        text = signing.canonical(content)
        Signature.objects.filter(pk=sig.pk).update(signed_text=text, text_sha256=signing.sha256(text))
    ok, out = _verify(capsys)
    assert not ok and "封印不符" in out


def test_a_seal_made_without_the_key_does_not_pass(world, published, capsys):
    pledge = published()
    sig = Signature.objects.filter(pledge=pledge).first()
    forged = signing.seal_of(sig, key="a-guessed-key")
    Signature.objects.filter(pk=sig.pk).update(seal=forged)
    ok, out = _verify(capsys)
    assert not ok and f"签名 #{sig.pk}" in out and "封印不符" in out


def test_another_key_is_told_apart_from_tampering(world, published, capsys, settings):
    published()
    settings.SIGNATURE_KEY = "the-key-was-changed"
    ok, out = _verify(capsys)
    assert not ok and "用另一把密钥生成" in out


def test_the_sign_form_carries_the_digest_and_a_changed_text_is_refused(client, world, draft):
    pledge = draft(n=2)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    client.force_login(world.member.user)
    url = reverse("commitments:pledge_sign", args=[pledge.pk])
    page = client.get(url).content.decode()
    shown = pledge.text_sha256()
    assert f'name="text_sha256" value="{shown}"' in page
    # Between showing and posting, the content changes (here: behind the application's back).
    PledgeItem.objects.filter(pledge=pledge, position=1).update(measures="换了措施")
    response = client.post(url, {"typed_name": "王党员", "password": PASSWORD, "text_sha256": shown})
    assert "发生了变化" in response.content.decode()
    assert not Signature.objects.filter(pledge=pledge).exists()
    # Without the digest the form is refused too.
    response = client.post(url, {"typed_name": "王党员", "password": PASSWORD})
    assert "签署页已过期" in response.content.decode() and not Signature.objects.exists()


def test_the_countersign_form_carries_the_digest_too(client, world, draft):
    pledge = draft(n=2)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_sign(pledge=pledge, by=world.member.user, password=PASSWORD, typed_name="王党员")
    client.force_login(world.secretary)
    url = reverse("commitments:pledge_sign", args=[pledge.pk])
    assert f'value="{pledge.text_sha256()}"' in client.get(url).content.decode()
    response = client.post(url, {"typed_name": "李书记", "password": PASSWORD, "text_sha256": "0" * 64})
    assert "发生了变化" in response.content.decode()
    assert Signature.objects.filter(pledge=pledge).count() == 1


def test_after_a_reset_the_member_cannot_sign_until_he_sets_his_own_password(client, world, draft):
    """The reported attack: the secretary resets a member's password, then signs 'with password re-entry'."""
    pledge = draft(n=1)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    password = org_services.member_password_reset(member=world.member, by=world.secretary)
    user = type(world.member.user).objects.get(pk=world.member.user_id)
    with pytest.raises(DomainError, match="请先在“修改密码”中设置"):
        services.pledge_sign(pledge=pledge, by=user, password=password, typed_name="王党员")
    # The sign page shows nothing of the pledge to such an account, only the way to set a password.
    user.must_change_password = False  # even past the forced change page (e.g. an old session)
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    response = client.get(reverse("commitments:pledge_sign", args=[pledge.pk]))
    page = response.content.decode()
    assert response.status_code == 403 and "请先设置自己的密码" in page
    assert "承诺事项1" not in page and "王党员" not in page
    assert not Signature.objects.filter(pledge=pledge).exists()
    user.set_own_password("Zi-ji-de-mima-2026")
    user.save()
    services.pledge_sign(pledge=pledge, by=user, password="Zi-ji-de-mima-2026", typed_name="王党员")
    assert Pledge.objects.get(pk=pledge.pk).pledger_has_signed()


def test_the_countersigner_sees_a_reset_before_the_pledger_signed(client, world, draft):
    pledge = draft(n=1)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    org_services.member_password_reset(member=world.member, by=world.clerk)
    user = type(world.member.user).objects.get(pk=world.member.user_id)
    user.set_own_password("Zi-ji-de-mima-2026")
    user.save()
    services.pledge_sign(pledge=pledge, by=user, password="Zi-ji-de-mima-2026", typed_name="王党员")
    client.force_login(world.secretary)
    page = client.get(reverse("commitments:pledge_sign", args=[pledge.pk])).content.decode()
    assert "承诺人账号的密码曾于" in page and "当面向承诺人核实" in page


def test_format_1_signatures_migrate_without_losing_their_verification(world, published, capsys):
    """The data migration recomputes the old digest, trying the codes and ID numbers the records had."""
    migration = importlib.import_module("commitments.migrations.0006_signatures_signed_text")
    from django.apps import apps

    pledge = published()
    member = Member.objects.get(pk=world.member.pk)
    v1 = migration._v1_sha(
        pledge, list(pledge.items.order_by("position")), pledge.organization.code, member.id_number, None
    )
    # As a format-1 signature stored it; then the branch code changes through the application.
    Signature.objects.filter(pledge=pledge).update(format=1, signed_text="", text_sha256=v1, seal="", seal_key_id="")
    org_services.organization_update(organization=pledge.organization, by=world.clerk, code="CA1NEW")
    tampered = published(world.secretary_member)
    Signature.objects.filter(pledge=tampered).update(
        format=1, signed_text="", text_sha256="f" * 64, seal="", seal_key_id=""
    )
    migration.forwards(apps, None)  # the schema editor is not used
    migrated = Signature.objects.filter(pledge=pledge)
    assert all(s.format == 2 and signing.check(s).ok for s in migrated)
    assert all(s.format == 1 for s in Signature.objects.filter(pledge=tampered))
    ok, out = _verify(capsys)
    assert not ok and out.count("旧格式") == 2 and f"承诺书 #{pledge.pk}" not in out
