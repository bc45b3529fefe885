"""What a signature (定诺) covers, and the seal that shows a stored signature was not rewritten.

A signature covers a canonical form of exactly what the signer read: the items as printed and the pledger's
identity as printed at that moment (name, post, organization names — never codes or 身份证号, which may be
corrected later without changing what was promised). The canonical text is stored with the signature, so a
later edit of the roster or of an organization never invalidates it; only a change of the signed content does.

A paper signature (the member signed the printed 承诺书 by hand, an officer recorded it) is sealed the same way:
the text is the one typed in from the paper, the signer's name is the member's, the signer account is the officer
who recorded it, and the image digest is that of the scan of the signed page.

The seal is an HMAC-SHA256 over the signature's facts and the digest of that text, keyed by
`settings.SIGNATURE_KEY`, which lives in the environment and never in the database: someone who can write the
database can rewrite a text and its SHA-256 together, but cannot make a matching seal.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings

FORMAT = 2

ITEM_FIELDS = {
    "area": "承诺方面",
    "content": "承诺事项",
    "measures": "措施",
    "deadline": "完成时限",
    "responsible": "责任人",
    "indicator": "量化指标",
    "unit": "单位",
    "baseline": "基数",
    "target": "目标值",
}
PLEDGE_FIELDS = {
    "campaign": "承诺批次",
    "revision": "版本",
    "form": "承诺形式",
    "witness": "见证人",
}


def item_content(item) -> dict:
    """One item as it is printed on the 承诺书."""
    return {
        "position": item.position,
        "area": item.content_area,
        "content": item.content,
        "measures": item.measures,
        "deadline": item.deadline.isoformat(),
        "responsible": item.responsible_person,
        "indicator": item.indicator,
        "unit": item.unit,
        "baseline": None if item.baseline_value is None else str(item.baseline_value),
        "target": None if item.target_value is None else str(item.target_value),
    }


def pledge_content(pledge, items=None) -> dict:
    """Everything a signer of `pledge` reads and signs, as plain data."""
    items = sorted(pledge.items.all() if items is None else items, key=lambda i: i.position)
    if pledge.member_id:
        member = pledge.member
        pledger = {
            "name": member.name,
            "gender": member.get_gender_display(),
            "political_status": member.get_political_status_display(),
            "post": member.post,
            "organization": pledge.organization.name,
        }
    else:
        pledger = {"organization": pledge.pledger_organization.name}
    return {
        "format": FORMAT,
        "campaign": pledge.campaign.name,
        "revision": pledge.revision,
        "form": pledge.form,
        "witness": pledge.witness_name,
        "pledger": pledger,
        "items": [item_content(i) for i in items],
    }


def canonical(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_id(key: str | None = None) -> str:
    """A short fingerprint of the signing key, stored with each seal so a key change is told from tampering."""
    return hashlib.sha256(("key-id:" + (key or settings.SIGNATURE_KEY)).encode("utf-8")).hexdigest()[:12]


def seal(
    *, pledge_id, role, signer_id, signer_name, method, signed_at, text_sha256, image_sha256, key: str | None = None
) -> str:
    message = "\n".join(
        [
            f"pledge-signature/{FORMAT}",
            str(pledge_id),
            str(role),
            str(signer_id),
            str(signer_name),
            str(method),
            # The same instant reads back from the database in UTC, whatever zone it was written in.
            signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            str(text_sha256),
            str(image_sha256),
        ]
    )
    secret = (key or settings.SIGNATURE_KEY).encode("utf-8")
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_of(signature, key: str | None = None) -> str:
    return seal(**{name: getattr(signature, name) for name in _SEALED}, key=key)


def signature_fields(
    pledge, *, role, signer_id, signer_name, method, signed_at, items=None, image_sha256: str = ""
) -> dict:
    """The stored fields of a new signature on `pledge` as it reads now: signed text, digests and seal."""
    text = canonical(pledge_content(pledge, items))
    fields = {
        "pledge_id": pledge.pk,  # replaced by the object below, once sealed
        "role": role,
        "signer_id": signer_id,
        "signer_name": signer_name,
        "method": method,
        "signed_at": signed_at,
        "format": FORMAT,
        "signed_text": text,
        "text_sha256": sha256(text),
        "image_sha256": image_sha256,
        "seal_key_id": key_id(),
    }
    fields["seal"] = seal(**{k: fields[k] for k in _SEALED})
    del fields["pledge_id"]
    fields["pledge"] = pledge
    return fields


_SEALED = ("pledge_id", "role", "signer_id", "signer_name", "method", "signed_at", "text_sha256", "image_sha256")


def differences(signed: dict, current: dict) -> list[str]:
    """What differs between the signed content and the pledge's content now, in Chinese, item by item.

    The pledger's identity is not compared: it is what was printed at signing time, and a later correction of
    the roster is not a change of the promise.
    """
    found = []
    for field, label in PLEDGE_FIELDS.items():
        if signed.get(field) != current.get(field):
            found.append(f"{label}由“{_show(signed.get(field))}”变为“{_show(current.get(field))}”")
    before = {i["position"]: i for i in signed.get("items", [])}
    after = {i["position"]: i for i in current.get("items", [])}
    for position in sorted(before.keys() | after.keys()):
        old, new = before.get(position), after.get(position)
        if old is None:
            found.append(f"多出第{position}项“{_show(new['content'], 30)}”")
        elif new is None:
            found.append(f"缺少第{position}项“{_show(old['content'], 30)}”")
        else:
            for field, label in ITEM_FIELDS.items():
                if old.get(field) != new.get(field):
                    found.append(f"第{position}项的{label}由“{_show(old.get(field))}”变为“{_show(new.get(field))}”")
    return found


def _show(value, limit: int = 40) -> str:
    text = "（空）" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Finding:
    """The outcome of checking one signature: `problems` empty means consistent."""

    signature_id: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(signature, items=None) -> Finding:
    """Check one signature: its seal, its stored text against its digest, and the pledge's content now."""
    problems = []
    if signature.format < FORMAT or not signature.signed_text:
        problems.append("签名为旧格式，迁移时已无法确认签署时的内容")
        return Finding(signature.pk, tuple(problems))
    if not signature.seal:
        problems.append("签名没有防篡改封印")
    elif signature.seal_key_id != key_id():
        problems.append(f"签名的封印用另一把密钥生成（密钥标识 {signature.seal_key_id}），无法核对")
    elif not hmac.compare_digest(signature.seal, seal_of(signature)):
        problems.append("签名记录（签署人、时间、方式或文本摘要）被改动过，封印不符")
    if signature.image_sha256 and not _image_matches(signature):
        problems.append("纸质承诺书扫描件与登记时不一致" if signature.method == "paper" else "签名图片与签署时不一致")
    if sha256(signature.signed_text) != signature.text_sha256:
        problems.append("保存的签署文本与其摘要不符，文本被改动过")
    try:
        signed = json.loads(signature.signed_text)
    except ValueError:
        problems.append("保存的签署文本已损坏")
        return Finding(signature.pk, tuple(problems))
    problems += differences(signed, pledge_content(signature.pledge, items))
    return Finding(signature.pk, tuple(problems))


def _image_matches(signature) -> bool:
    """The stored file (the drawn signature, or for a paper signature the scan of the signed page) is the one
    whose digest was sealed."""
    stored = signature.scan if signature.method == "paper" else signature.image
    if not stored:
        return False
    try:
        with stored.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == signature.image_sha256
    except OSError:
        return False
