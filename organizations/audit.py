"""Who changed what when: one mechanism, django-simple-history, read back as a timeline.

Every stateful model has `history = HistoricalRecords()`. A service saves with the acting user and, for a
transition or another named act, a change reason: `stamp(obj, by, label, comment)` before `save()` (the
transitions of organizations.transitions stamp for themselves). The reason holds the Chinese label on its first
line and the comment after it; a reason is used by one save only. Plain edits need no reason: the timeline shows
them as "修改了 字段：旧值 → 新值". Logger lines are operational logs, not the audit.

`timeline(obj, user)` and `timelines(objs, user)` read the history for a page in a constant number of queries.
Personal data (身份证号, 联系电话, 出生日期) changes are left out for users who may not see that person's
personal data. Public pages never show a timeline.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from .permissions import OrgAction

PERSONAL_FIELDS = frozenset({"id_number", "phone", "birth_date"})
VALUE_LENGTH = 40


def reason(label: str, comment: str = "") -> str:
    """The change reason of a named act: the label, then the comment on the following lines."""
    comment = (comment or "").strip()
    return f"{label}\n{comment}" if comment else label


def split_reason(text: str | None) -> tuple[str, str]:
    label, _, comment = (text or "").partition("\n")
    return label.strip(), comment.strip()


def stamp(obj, by, label: str = "", comment: str = "") -> None:
    """Make the next save of `obj` record `by` as the user and (with a label) the reason."""
    if by is not None:
        obj._history_user = by
    if label:
        obj._change_reason = reason(label, comment)


@receiver(post_create_historical_record, dispatch_uid="organizations.audit.reason_used_once")
def _reason_used_once(sender, instance, **kwargs) -> None:
    # A reason names one act: a later save of the same object in the same request is another change.
    if hasattr(instance, "_change_reason"):
        del instance._change_reason


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: 时间, 操作人, 操作 (and the state change it made), 说明."""

    at: datetime.datetime
    by: str
    action: str
    change: str = ""
    note: str = ""


def timeline(obj, user) -> list[Entry]:
    """The history of `obj`, oldest first, as `user` may see it."""
    return timelines([obj], user).get(obj.pk, [])


def timelines(objs, user) -> dict[int, list[Entry]]:
    """The histories of several objects of one model (e.g. the items of a pledge), keyed by primary key."""
    objs = [o for o in objs if o.pk is not None]
    if not objs or user is None or not user.is_authenticated:
        return {}
    model = type(objs[0])._meta.concrete_model
    history_model = model.history.model
    pk = model._meta.pk.attname
    by_pk = {o.pk: o for o in objs}
    records = list(
        history_model.objects.filter(**{f"{pk}__in": list(by_pk)})
        .select_related("history_user")
        .order_by(pk, "history_date", "history_id")
    )
    fields = _shown_fields(history_model)
    state_fields = {f.name for f in fields if _is_state_field(f)}
    hidden = _hidden_fields(model, fields, by_pk.values(), user)

    previous: dict[int, object] = {}
    changes: list[tuple[object, object, list]] = []
    for record in records:
        key = getattr(record, pk)
        before = previous.get(key)
        previous[key] = record
        diff = [] if before is None else _diff(before, record, fields, hidden.get(key, frozenset()))
        if record.history_change_reason:
            diff = [d for d in diff if d[0].name in state_fields]  # a named act shows its label, not its fields
        changes.append((record, before, diff))

    names = _related_names(fields, [d for _, _, d in changes])
    result: dict[int, list[Entry]] = defaultdict(list)
    for record, _before, diff in changes:
        entry = _entry(record, diff, state_fields, names)
        if entry is not None:
            result[getattr(record, pk)].append(entry)
    return dict(result)


# --- building the entries ------------------------------------------------------------------------------------


def _shown_fields(history_model) -> list[models.Field]:
    shown = []
    for f in history_model.tracked_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if isinstance(f, models.JSONField):
            continue
        shown.append(f)
    return shown


def _is_state_field(field) -> bool:
    from django_fsm import FSMFieldMixin

    return isinstance(field, FSMFieldMixin)


def _hidden_fields(model, fields, objs, user) -> dict[int, frozenset]:
    personal = [f.name for f in fields if f.name in PERSONAL_FIELDS]
    if not personal:
        return {}
    from .permissions import may

    return {o.pk: frozenset(personal) for o in objs if not may(user, OrgAction.VIEW_PERSONAL_DATA, o)}


def _diff(before, after, fields, hidden) -> list[tuple[models.Field, object, object]]:
    out = []
    for f in fields:
        if f.name in hidden:
            continue
        old, new = getattr(before, f.attname), getattr(after, f.attname)
        if old != new:
            out.append((f, old, new))
    return out


def _related_names(fields, diffs) -> dict[tuple[type, object], str]:
    """The names of the objects that foreign keys changed from and to: one query per related model."""
    wanted: dict[type, set] = defaultdict(set)
    for diff in diffs:
        for f, old, new in diff:
            if f.is_relation:
                wanted[f.related_model].update(v for v in (old, new) if v is not None)
    names = {}
    for related, ids in wanted.items():
        direct = [g.name for g in related._meta.concrete_fields if g.is_relation]
        for obj in related._default_manager.select_related(*direct).filter(pk__in=ids):
            names[(related, obj.pk)] = _name_of(obj)
    return names


def _name_of(obj) -> str:
    get_full_name = getattr(obj, "get_full_name", None)
    return get_full_name() if callable(get_full_name) else str(obj)


def _entry(record, diff, state_fields, names) -> Entry | None:
    by = record.history_user.get_full_name() if record.history_user_id else "系统"
    label, note = split_reason(record.history_change_reason)
    change = ""
    if label:
        moved = [(f, old, new) for f, old, new in diff if f.name in state_fields]
        if moved:
            f, old, new = moved[0]
            change = f"{_value(f, old, names)} → {_value(f, new, names)}"
        return Entry(record.history_date, by, label, change, note)
    if record.history_type == "+":
        return Entry(record.history_date, by, "创建")
    if record.history_type == "-":
        return Entry(record.history_date, by, "删除")
    if not diff:
        return None
    parts = [f"{f.verbose_name}：{_value(f, old, names)} → {_value(f, new, names)}" for f, old, new in diff]
    return Entry(record.history_date, by, "修改了 " + "；".join(parts))


def _value(field, value, names) -> str:
    if value is None or value == "":
        return "（空）"
    if field.is_relation:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    text = " ".join(str(value).split())
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"
