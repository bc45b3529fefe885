"""History records written by the demo generators.

The generators write rows in bulk, without the services, dated on the demo calendar; these helpers give those
rows the history records the services would have left (organizations.audit): who, when, the transition's label
and comment, the state it moved to.
"""

from __future__ import annotations

from organizations.audit import reason


def set_state(obj, field: str, value) -> None:
    """Put `obj` in a state directly: the demo writes what happened; only services take transitions."""
    obj._meta.get_field(field).set_state(obj, value)


def record(obj, *, at, by=None, label: str = "", comment: str = "", kind: str = "~", **values):
    """An unsaved history record of `obj` (saved, with its primary key) as it is now, with `values` changed."""
    historical = type(obj).history.model
    attrs = {f.attname: getattr(obj, f.attname) for f in historical.tracked_fields}
    attrs.update(values)
    return historical(
        history_date=at,
        history_user_id=by.pk if by is not None else None,
        history_type=kind,
        history_change_reason=reason(label, comment) if label else None,
        **attrs,
    )


def write(records, batch_size: int = 1000) -> None:
    """Save history records of any models, model by model."""
    by_model: dict[type, list] = {}
    for r in records:
        by_model.setdefault(type(r), []).append(r)
    for model, rows in by_model.items():
        model.objects.bulk_create(rows, batch_size=batch_size)


# What the fields of each model tell: (label, time field, user field, state, comment field), in order; the
# same labels as the transitions and services (evaluations.models, evaluations.services).
STEPS = {
    "Award": [
        ("推荐", "created_at", "nominated_by", "nominated", None),
        ("批准", "decided_at", "decided_by", "approved", "decision_comment"),
        ("不予批准", "decided_at", "decided_by", "rejected", "decision_comment"),
    ],
    "Bulletin": [
        ("根据数据起草", "created_at", "created_by", "draft", None),
        ("发布", "published_at", "created_by", "published", None),
    ],
    "Appraisal": [
        ("组织群众评议", "created_at", "created_by", "open", None),
        ("结束评议并公布结果", "closed_at", "created_by", "closed", None),
    ],
    "Rectification": [
        ("启动整改", "created_at", None, "open", None),
        ("报送整改报告", "submitted_at", None, "submitted", None),
        ("同意整改方案", "approved_at", "approved_by", "approved", None),
        ("报告整改完成", "done_at", None, "done", None),
        ("再次评议达到90%，整改销号", "closed_at", None, "closed", None),
    ],
}
# Steps that branch: taken only when the object ended in that state.
FINAL_ONLY = {("Award", "approved"), ("Award", "rejected")}


def from_stamps(model) -> int:
    """History records for every object of `model` (one of STEPS) that has none, from its own fields."""
    name = model.__name__
    done = set(model.history.values_list(model._meta.pk.attname, flat=True).distinct())
    users = [step[2] for step in STEPS[name] if step[2]]
    records = []
    for obj in model.objects.select_related(*set(users)).order_by("pk").iterator(chunk_size=1000):
        if obj.pk in done:
            continue
        made = []
        for label, time_field, user_field, state, comment_field in STEPS[name]:
            at = getattr(obj, time_field)
            if at is None or ((name, state) in FINAL_ONLY and obj.status != state):
                continue
            made.append(
                record(
                    obj,
                    at=at,
                    by=getattr(obj, user_field) if user_field else None,
                    label=label,
                    comment=getattr(obj, comment_field) if comment_field else "",
                    kind="~" if made else "+",
                    status=state,
                )
            )
        records.extend(made)
    write(records)
    return len(records)
