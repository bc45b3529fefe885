"""Move existing signatures to the signed-text form (commitments.signing, format 2), keeping their proof.

A format-1 signature stored only the SHA-256 of a JSON that named the organization by its code and the member
by his 身份证号. Each one is checked against that old form, trying the codes and ID numbers the organization and
member had over time (their history rows), so a later code change or ID correction does not lose it. When the
old digest matches, the items are what was signed: the new canonical text is built from them, with the
pledger's name, post and organization names as they stood when he signed, and sealed. A signature that
matches no form stays format 1 and `verify_signatures` reports it as unconfirmable.
"""

import hashlib
import json

from django.db import migrations

from commitments import signing


def _items(items):
    return [
        {
            "position": i.position,
            "area": i.content_area,
            "content": i.content,
            "measures": i.measures,
            "deadline": i.deadline.isoformat(),
            "responsible": i.responsible_person,
            "indicator": i.indicator,
            "unit": i.unit,
            "baseline": None if i.baseline_value is None else str(i.baseline_value),
            "target": None if i.target_value is None else str(i.target_value),
        }
        for i in items
    ]


def _v1_sha(pledge, items, org_code, member_id_number, pledger_org_code):
    data = {
        "campaign": pledge.campaign_id,
        "revision": pledge.revision,
        "organization": org_code,
        "member": member_id_number,
        "pledger_organization": pledger_org_code,
        "form": pledge.form,
        "witness": pledge.witness_name,
        "items": _items(items),
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_of(history, pk, at):
    """The history row of object `pk` in force at `at` (or the earliest one)."""
    row = history.filter(id=pk, history_date__lte=at).order_by("-history_date").first()
    return row or history.filter(id=pk).order_by("history_date").first()


def forwards(apps, schema_editor):
    Signature = apps.get_model("commitments", "Signature")
    PledgeItem = apps.get_model("commitments", "PledgeItem")
    HistoricalOrganization = apps.get_model("organizations", "HistoricalOrganization")
    HistoricalMember = apps.get_model("organizations", "HistoricalMember")

    codes_cache = {}
    ids_cache = {}

    def codes(org):
        if org is None:
            return [None]
        if org.pk not in codes_cache:
            past = HistoricalOrganization.objects.filter(id=org.pk).values_list("code", flat=True)
            codes_cache[org.pk] = list(dict.fromkeys([org.code, *past]))
        return codes_cache[org.pk]

    def id_numbers(member):
        if member is None:
            return [None]
        if member.pk not in ids_cache:
            past = HistoricalMember.objects.filter(id=member.pk).values_list("id_number", flat=True)
            ids_cache[member.pk] = list(dict.fromkeys([member.id_number, *past]))
        return ids_cache[member.pk]

    signatures = Signature.objects.select_related(
        "pledge__campaign", "pledge__organization", "pledge__member", "pledge__pledger_organization"
    ).order_by("pk")
    for signature in signatures.iterator(chunk_size=500):
        pledge = signature.pledge
        items = list(PledgeItem.objects.filter(pledge_id=pledge.pk).order_by("position"))
        member = pledge.member if pledge.member_id else None
        pledger_org = pledge.pledger_organization if pledge.pledger_organization_id else None
        matched = any(
            _v1_sha(pledge, items, code, id_number, pledger_code) == signature.text_sha256
            for code in codes(pledge.organization)
            for id_number in id_numbers(member)
            for pledger_code in codes(pledger_org)
        )
        if not matched:
            signature.format = 1
            signature.save(update_fields=["format"])
            continue
        if member is not None:
            then = _as_of(HistoricalMember.objects, member.pk, signature.signed_at) or member
            org_then = _as_of(HistoricalOrganization.objects, pledge.organization_id, signature.signed_at)
            pledger = {
                "name": then.name,
                "gender": then.get_gender_display(),
                "political_status": then.get_political_status_display(),
                "post": then.post,
                "organization": (org_then or pledge.organization).name,
            }
        else:
            org_then = _as_of(HistoricalOrganization.objects, pledger_org.pk, signature.signed_at)
            pledger = {"organization": (org_then or pledger_org).name}
        content = {
            "format": signing.FORMAT,
            "campaign": pledge.campaign.name,
            "revision": pledge.revision,
            "form": pledge.form,
            "witness": pledge.witness_name,
            "pledger": pledger,
            "items": _items(items),
        }
        signature.signed_text = signing.canonical(content)
        signature.text_sha256 = signing.sha256(signature.signed_text)
        signature.image_sha256 = ""
        if signature.image:
            try:
                with signature.image.open("rb") as handle:
                    signature.image_sha256 = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                pass
        signature.format = signing.FORMAT
        signature.seal_key_id = signing.key_id()
        signature.seal = signing.seal_of(signature)
        signature.save(update_fields=["format", "signed_text", "text_sha256", "image_sha256", "seal", "seal_key_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0005_signature_signed_text"),
        ("organizations", "0002_password_reset_and_former_codes"),
    ]

    # Going back leaves the new columns to be dropped by 0005; the old digests cannot be rebuilt.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
