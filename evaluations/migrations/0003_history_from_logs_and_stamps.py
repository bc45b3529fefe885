"""One audit: the adjustment log of rankings and the stamps of evaluations become history records.

- Each record of `RankingEntry.components["log"]` (who, when, from, to, why) becomes a history record of its
  entry with the new adjustment, the user and the time, and the reason "调整分数" + why; the log is removed.
- Appraisals, rectifications, awards and bulletins had no history: each gets the records its own fields tell
  (created by whom and when, approved, decided, published, closed …), labelled as the transitions label them,
  so that their timelines begin with what was done before.

Backwards, the logs are rebuilt from the adjustment records and the added records are deleted.
"""

import datetime
from decimal import Decimal

from django.db import migrations

ADJUSTMENT = "调整分数"
CHUNK = 500


def reason(label, comment=""):  # the format of organizations.audit.reason, kept here unchanged
    comment = (comment or "").strip()
    return f"{label}\n{comment}" if comment else label


def _attnames(Historical):
    return [f.attname for f in Historical._meta.concrete_fields if f.attname != "history_id"]


def _record(Historical, attnames, row, *, at, user_id, kind, label, comment="", **changes):
    values = {a: row[a] for a in attnames if a in row}
    values.update(changes)
    values.update(
        history_date=at,
        history_user_id=user_id,
        history_type=kind,
        history_change_reason=reason(label, comment),
    )
    return Historical(**values)


def logs_to_history(RankingEntry, HistoricalRankingEntry, User):
    """Turn every entry's adjustment log into history records; returns how many records were made."""
    attnames = _attnames(HistoricalRankingEntry)
    users = set(User.objects.values_list("pk", flat=True))
    records, changed = [], []
    for entry in RankingEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if not isinstance(entry.components, dict) or "log" not in entry.components:
            continue
        log = entry.components["log"] or []
        row = {a: getattr(entry, a) for a in attnames if hasattr(entry, a)}
        for item in log:
            try:
                at = datetime.datetime.fromisoformat(item["at"])
                after = Decimal(str(item["to"]))
            except (KeyError, ValueError, ArithmeticError):
                continue
            by = item.get("by") if item.get("by") in users else None
            records.append(
                _record(
                    HistoricalRankingEntry,
                    attnames,
                    row,
                    at=at,
                    user_id=by,
                    kind="~",
                    label=ADJUSTMENT,
                    comment=item.get("reason", ""),
                    adjustment=after,
                    adjustment_reason=item.get("reason", ""),
                    adjusted_by_id=by,
                    final_score=entry.score + after,
                )
            )
        entry.components = {k: v for k, v in entry.components.items() if k != "log"}
        changed.append(entry)
    HistoricalRankingEntry.objects.bulk_create(records, batch_size=CHUNK)
    RankingEntry.objects.bulk_update(changed, ["components"], batch_size=CHUNK)
    return len(records)


def history_to_logs(RankingEntry, HistoricalRankingEntry):
    logs = {}
    for record in (
        HistoricalRankingEntry.objects.filter(history_change_reason__startswith=ADJUSTMENT)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        log = logs.setdefault(record.id, [])
        _, _, why = (record.history_change_reason or "").partition("\n")
        user = record.history_user
        log.append(
            {
                "at": record.history_date.isoformat(timespec="seconds"),
                "by": record.history_user_id,
                "by_name": (user.full_name or user.username) if user else "",
                "from": log[-1]["to"] if log else "0.00",
                "to": str(record.adjustment),
                "reason": why,
            }
        )
    entries = list(RankingEntry.objects.order_by("pk"))
    for entry in entries:
        entry.components = {**(entry.components or {}), "log": logs.get(entry.pk, [])}
    RankingEntry.objects.bulk_update(entries, ["components"], batch_size=CHUNK)


# What the fields of each model tell: (label, time field, user field, state, comment field), in order.
STEPS = {
    "Award": [
        ("推荐", "created_at", "nominated_by_id", "nominated", None),
        ("批准", "decided_at", "decided_by_id", "approved", "decision_comment"),
        ("不予批准", "decided_at", "decided_by_id", "rejected", "decision_comment"),
    ],
    "Bulletin": [
        ("根据数据起草", "created_at", "created_by_id", "draft", None),
        ("发布", "published_at", None, "published", None),
    ],
    "Appraisal": [
        ("组织群众评议", "created_at", "created_by_id", "open", None),
        ("结束评议并公布结果", "closed_at", None, "closed", None),
    ],
    "Rectification": [
        ("启动整改", "created_at", None, "open", None),
        ("报送整改报告", "submitted_at", None, "submitted", None),
        ("同意整改方案", "approved_at", "approved_by_id", "approved", None),
        ("报告整改完成", "done_at", None, "done", None),
        ("再次评议达到90%，整改销号", "closed_at", None, "closed", None),
    ],
}
# A step whose state the object may never have reached is taken only when it is the state it is in now.
FINAL_ONLY = {("Award", "approved"), ("Award", "rejected")}


def stamps_to_history(apps, name):
    """History records for the objects of `name` that have none, from their own fields."""
    Model = apps.get_model("evaluations", name)
    Historical = apps.get_model("evaluations", f"Historical{name}")
    attnames = _attnames(Historical)
    has_history = set(Historical.objects.values_list("id", flat=True).distinct())
    records = []
    for row in Model.objects.order_by("pk").values().iterator(chunk_size=2000):
        if row["id"] in has_history:
            continue
        made = []
        for label, time_field, user_field, state, comment_field in STEPS[name]:
            at = row.get(time_field)
            if at is None or ((name, state) in FINAL_ONLY and row["status"] != state):
                continue
            made.append(
                _record(
                    Historical,
                    attnames,
                    row,
                    at=at,
                    user_id=row.get(user_field) if user_field else None,
                    kind="+" if not made else "~",
                    label=label,
                    comment=row.get(comment_field, "") if comment_field else "",
                    status=state,
                )
            )
        made.sort(key=lambda r: r.history_date)
        for i, record in enumerate(made):
            record.history_type = "~" if i else "+"
        records.extend(made)
    Historical.objects.bulk_create(records, batch_size=CHUNK)
    return len(records)


def forwards(apps, schema_editor):
    User = apps.get_model("organizations", "User")
    logs_to_history(
        apps.get_model("evaluations", "RankingEntry"), apps.get_model("evaluations", "HistoricalRankingEntry"), User
    )
    for name in STEPS:
        stamps_to_history(apps, name)


def backwards(apps, schema_editor):
    history_to_logs(
        apps.get_model("evaluations", "RankingEntry"), apps.get_model("evaluations", "HistoricalRankingEntry")
    )
    apps.get_model("evaluations", "HistoricalRankingEntry").objects.all().delete()
    for name in STEPS:
        apps.get_model("evaluations", f"Historical{name}").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0002_state_machines_and_history"),
        ("organizations", "0003_history_reasons_and_exemption_states"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
