"""Demo data for how a county really works (issue 13): a pledge signed on paper, oral pledgers marked as unable
to write, complaints received by phone, in the 意见箱 and by letter, all in the demo branch (红星村, `shuji`), and
the county leader `xianwei` with 红星村 as his 联系点 and his visits there.

Written straight to the tables like the rest of the demo, dated relative to the demo's day, from its own seeded
random generator, so the same seed and day give the same rows.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from commitments import signing
from commitments.models import Pledge, Signature
from disclosure.models import SupervisionReport
from disclosure.services import answer_due
from evaluations.models import ContactPoint, ContactVisit
from organizations.models import Member, User

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# (channel, days before the demo's day it was received, kind, text, answer or "")
OFFLINE_REPORTS = [
    (
        SupervisionReport.Channel.PHONE,
        12,
        SupervisionReport.Kind.OPINION,
        "打电话反映：三组的路灯坏了两盏，晚上老人出门不方便，希望尽快修好。",
        "已联系电工于次日修复三组两盏路灯，今后每月巡查一次，发现损坏及时更换。",
    ),
    (
        SupervisionReport.Channel.BOX,
        4,
        SupervisionReport.Kind.SUPERVISION,
        "意见箱来信：承诺的“每月走访困难户”，我们组的困难户这个月还没有人来过。",
        "",
    ),
    (
        SupervisionReport.Channel.LETTER,
        2,
        SupervisionReport.Kind.OPINION,
        "来信建议：村里的文化广场晚上能不能多开一个小时的灯，方便群众跳舞健身。",
        "",
    ),
]


def _scan_png(name: str, day: datetime.date) -> bytes:
    """A stand-in for the photo of a signed page: a white page with lines and a signature scrawl."""
    page = Image.new("L", (620, 860), 255)
    draw = ImageDraw.Draw(page)
    for y in range(120, 700, 40):
        draw.line((60, y, 560, y), fill=170, width=1)
    draw.line((360, 760, 420, 740, 460, 775, 520, 745), fill=20, width=4)
    draw.rectangle((20, 20, 600, 840), outline=80, width=2)
    draw.text((60, 60), f"scan {day.isoformat()} #{len(name)}", fill=40)
    out = io.BytesIO()
    page.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def seed_practice(*, seed_value: int, today: datetime.date) -> dict:
    rng = random.Random(f"practice-{seed_value}")
    clerk = User.objects.filter(username="ganshi").first()
    secretary = User.objects.filter(username="shuji").first()
    # 篇一 (口头承诺 only for those who cannot write): the demo's oral pledgers are marked so by their branch.
    oral = Member.objects.filter(pledges__form=Pledge.Form.ORAL).distinct()
    oral_marked = Member.objects.filter(pk__in=oral.values("pk")).update(unable_to_write=True)
    result = {"oral_marked": oral_marked, "paper": 0, "offline_reports": 0, "contact_points": 0}
    if clerk is None or secretary is None or not hasattr(clerk, "member"):
        return result
    branch = clerk.member.organization

    # A written pledge signed on paper: a member of the branch without an account, whose published pledge is
    # re-recorded as the clerk would have entered it — the scan of the signed page kept under the seal.
    pledge = (
        Pledge.objects.filter(
            organization=branch,
            member__isnull=False,
            member__user__isnull=True,
            is_current=True,
            form=Pledge.Form.WRITTEN,
            status__in=(Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED),
        )
        .select_related("member", "organization", "campaign")
        .order_by("member__name", "id")
        .first()
    )
    if pledge is not None:
        old = pledge.signatures.filter(role=Signature.Role.PLEDGER).order_by("-signed_at").first()
        if old is not None:
            day = timezone.localtime(old.signed_at).date()
            # As if entered so from the start: no history row saying the form was changed.
            Pledge.objects.filter(pk=pledge.pk).update(form=Pledge.Form.PAPER, created_by=clerk)
            pledge.form, pledge.created_by = Pledge.Form.PAPER, clerk
            data = _scan_png(pledge.member.name, day)
            signed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
            fields = signing.signature_fields(
                pledge,
                role=Signature.Role.PLEDGER,
                signer_id=clerk.pk,
                signer_name=pledge.member.name,
                method=Signature.Method.PAPER,
                signed_at=signed_at,
                image_sha256=hashlib.sha256(data).hexdigest(),
            )
            old.delete()
            signature = Signature(**fields, scan_kind="png", recorded_at=signed_at + datetime.timedelta(hours=4))
            signature.scan.save("scan.png", ContentFile(data), save=False)
            signature.save()
            # The branch's countersignature was made over the same text, which names the form: sealed anew.
            for other in pledge.signatures.exclude(pk=signature.pk):
                again = signing.signature_fields(
                    pledge,
                    role=other.role,
                    signer_id=other.signer_id,
                    signer_name=other.signer_name,
                    method=other.method,
                    signed_at=other.signed_at,
                    image_sha256=other.image_sha256,
                )
                sealed = ("format", "signed_text", "text_sha256", "seal", "seal_key_id")
                Signature.objects.filter(pk=other.pk).update(**{k: again[k] for k in sealed})
            result["paper"] = 1

    # Complaints received off line, logged by the clerk with the same 7-day deadline and tracking numbers.
    for channel, days_ago, kind, text, answer in OFFLINE_REPORTS:
        received = today - datetime.timedelta(days=days_ago)
        at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(9, 30)))
        report = SupervisionReport(
            organization=branch,
            kind=kind,
            channel=channel,
            received_on=received,
            logged_by=clerk,
            text=text,
            tracking_number="JD" + "".join(rng.choice(TRACKING_ALPHABET) for _ in range(10)),
            submitted_at=at,
            due_on=answer_due(received),
        )
        if answer:
            report.answer = answer
            report.answered_at = at + datetime.timedelta(days=2, hours=6)
            report.answered_by = secretary
        report.save()
        result["offline_reports"] += 1

    # 联系点: the county leader keeps the demo branch as his contact point and visits it now and then.
    leader = User.objects.filter(username="xianwei").first()
    if leader is not None:
        since = datetime.date(today.year, 1, 10)
        point = ContactPoint.objects.create(leader=leader, organization=branch, since=since, created_at=_at(since, 9))
        visits = [
            (75, "走访困难党员和留守老人，了解承诺事项的兑现进度。"),
            (30, "参加支部主题党日，听取党员践诺情况汇报，对进度慢的事项提出要求。"),
            (8, "实地查看村口道路硬化和三组路灯修复情况，现场答复群众提出的问题。"),
        ]
        ContactVisit.objects.bulk_create(
            ContactVisit(
                contact_point=point,
                visited_on=today - datetime.timedelta(days=days),
                note=note,
                created_at=_at(today - datetime.timedelta(days=days), 18),
            )
            for days, note in visits
            if today - datetime.timedelta(days=days) >= since
        )
        result["contact_points"] = 1
    return result
