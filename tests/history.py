"""Reading the audit (django-simple-history) in tests: the named changes of an object, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

from django_fsm import FSMFieldMixin

from organizations.audit import split_reason


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # the state before (None for the record that created the object)
    after: str
    by: str | None  # the acting user's username
    comment: str
    kind: str  # "+" created, "~" changed, "-" deleted


def state_field(model) -> str:
    return next(f.name for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin))


def changes(obj, field: str | None = None) -> list[Change]:
    """Every history record of `obj` that has a reason (a transition or another named act), oldest first."""
    field = field or state_field(type(obj))
    records = obj.history.select_related("history_user").order_by("history_date", "history_id")
    out, before = [], None
    for record in records:
        state = getattr(record, field)
        if record.history_change_reason:
            label, comment = split_reason(record.history_change_reason)
            user = record.history_user.username if record.history_user else None
            out.append(Change(label, before, state, user, comment, record.history_type))
        before = state
    return out


def transitions(obj, field: str | None = None) -> list[Change]:
    """The named changes after creation: what StatusChange rows used to hold."""
    return [c for c in changes(obj, field) if c.kind == "~"]
