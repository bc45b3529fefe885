"""One audit: the status changes of pledges become their history records (django-simple-history).

Each StatusChange row gives its label and comment, as the change reason, to the history record that its
transition saved: the record of the same pledge, saved by the same user, in the state it moved to, at most a
few seconds apart (a creation record only for the row that created a revision, 由变更生成). Rows without such a record (written in bulk, without history) get a record of their own: the
pledge as its nearest earlier record has it (or as it is now), in the new state, at the row's time and user.

The tick-offs of items recorded before this change are named the same way: a history record of an item that
moved between 进行中, 申请销号 and 已销号 gets the label of that transition and its note as reason.

Backwards, the status changes are rebuilt from the history records that have a reason (which keep it, so that
running this again adds nothing).
"""

import datetime
from collections import defaultdict

from django.db import migrations

MATCH_WINDOW = datetime.timedelta(seconds=5)
CHUNK = 500

# The same format as organizations.audit.reason, kept here so that this migration never changes.


def reason(label, comment=""):
    comment = (comment or "").strip()
    return f"{label}\n{comment}" if comment else label


def split_reason(text):
    label, _, comment = (text or "").partition("\n")
    return label.strip(), comment.strip()


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _history_attnames(HistoricalPledge):
    return [f.attname for f in HistoricalPledge._meta.concrete_fields if f.attname != "history_id"]


def history_from_changes(changes, Pledge, HistoricalPledge):
    """Give every status change (objects with pledge_id, from_status, to_status, action, by_id, at, comment,
    pk) a history record of its pledge carrying its label and comment. Returns (matched, created)."""
    by_pledge = defaultdict(list)
    for change in changes:
        by_pledge[change.pledge_id].append(change)
    attnames = _history_attnames(HistoricalPledge)
    matched = created = 0
    for chunk in _chunks(by_pledge):
        records = defaultdict(list)
        for record in HistoricalPledge.objects.filter(id__in=chunk).order_by("history_date", "history_id"):
            records[record.id].append(record)
        current = {row["id"]: row for row in Pledge.objects.filter(pk__in=chunk).values()}
        to_update, to_create = [], []
        for pledge_id in chunk:
            used = set()
            own = records.get(pledge_id, [])
            for change in sorted(by_pledge[pledge_id], key=lambda c: (c.at, c.pk)):
                text = reason(change.action, change.comment)
                candidates = [
                    r
                    for r in own
                    if r.history_id not in used
                    and (r.history_type == "~" or change.from_status == change.to_status)
                    and r.history_change_reason in (None, "", text)  # "", or already given (run again)
                    and r.status == change.to_status
                    and r.history_user_id == change.by_id
                    and abs(r.history_date - change.at) <= MATCH_WINDOW
                ]
                if candidates:
                    record = min(candidates, key=lambda r: abs(r.history_date - change.at))
                    record.history_change_reason = text
                    used.add(record.history_id)
                    to_update.append(record)
                    matched += 1
                    continue
                earlier = [r for r in own if r.history_date <= change.at]
                if earlier:
                    base = {a: getattr(earlier[-1], a) for a in attnames}
                elif own:
                    base = {a: getattr(own[0], a) for a in attnames}
                elif pledge_id in current:
                    row = current[pledge_id]
                    base = {a: row[a] for a in attnames if a in row}
                else:
                    continue  # the pledge is gone; its history went with it
                base.update(
                    status=change.to_status,
                    history_date=change.at,
                    history_user_id=change.by_id,
                    history_type="~",
                    history_change_reason=text,
                )
                to_create.append(HistoricalPledge(**base))
                created += 1
        HistoricalPledge.objects.bulk_update(to_update, ["history_change_reason"], batch_size=CHUNK)
        HistoricalPledge.objects.bulk_create(to_create, batch_size=CHUNK)
    return matched, created


ITEM_TRANSITIONS = {
    ("in_progress", "tick_requested"): ("申请销号", "tick_request_note"),
    ("tick_requested", "ticked_off"): ("确认销号", None),
    ("tick_requested", "in_progress"): ("不予销号", "tick_refusal_reason"),
}


def name_item_tick_offs(HistoricalPledgeItem):
    """Label the history records of items whose state changed without a reason. Returns how many."""
    to_update = []
    previous = {}
    records = HistoricalPledgeItem.objects.order_by("id", "history_date", "history_id").iterator(chunk_size=2000)
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None or record.history_change_reason:
            continue
        named = ITEM_TRANSITIONS.get((before.state, record.state))
        if named is None:
            continue
        label, note_field = named
        record.history_change_reason = reason(label, getattr(record, note_field) if note_field else "")
        to_update.append(record)
    HistoricalPledgeItem.objects.bulk_update(to_update, ["history_change_reason"], batch_size=CHUNK)
    return len(to_update)


def forwards(apps, schema_editor):
    StatusChange = apps.get_model("commitments", "StatusChange")
    Pledge = apps.get_model("commitments", "Pledge")
    HistoricalPledge = apps.get_model("commitments", "HistoricalPledge")
    HistoricalPledgeItem = apps.get_model("commitments", "HistoricalPledgeItem")
    history_from_changes(StatusChange.objects.order_by("pledge_id", "at", "id").iterator(), Pledge, HistoricalPledge)
    name_item_tick_offs(HistoricalPledgeItem)


def changes_from_history(records, StatusChange):
    """The status changes that history records with a reason stand for (for going back)."""
    rows = []
    previous = {}
    for record in records.order_by("id", "history_date", "history_id").iterator(chunk_size=2000):
        before = previous.get(record.id)
        previous[record.id] = record
        if not record.history_change_reason or record.history_user_id is None:
            continue
        label, comment = split_reason(record.history_change_reason)
        rows.append(
            StatusChange(
                pledge_id=record.id,
                from_status=before.status if before is not None else record.status,
                to_status=record.status,
                action=label[:40],
                by_id=record.history_user_id,
                at=record.history_date,
                comment=comment,
            )
        )
    StatusChange.objects.bulk_create(rows, batch_size=CHUNK)


def backwards(apps, schema_editor):
    StatusChange = apps.get_model("commitments", "StatusChange")
    HistoricalPledge = apps.get_model("commitments", "HistoricalPledge")
    Pledge = apps.get_model("commitments", "Pledge")
    StatusChange.objects.all().delete()
    changes_from_history(HistoricalPledge.objects.filter(id__in=Pledge.objects.values("pk")), StatusChange)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0007_history_reasons_item_states_campaign_history"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
