"""State machines: how a stateful model declares its transitions, and how a service takes one.

A stateful model keeps its state in a protected django-fsm `FSMField` and declares every change as a
`@transition` with its source and target states, a permission from `ask()` (which asks the permission module)
and a Chinese label in `custom`, the words users see on the button and in the timeline:

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED,
                permission=ask("approve_award", "nominated_by_organization"), custom={"label": "批准"})
    def approve(self):
        self.decided_at = timezone.now()

A service locks the row, calls `take(obj, "approve", by, comment=...)` and saves. `take` refuses from a wrong
state or unmet conditions (DomainError) and without permission (PermissionDenied, with the permission module's
Chinese message), runs the transition and stamps the history record with the acting user, the label and the
comment (organizations.audit). Pages offer the transitions `get_available_user_<field>_transitions(user)` lists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django_fsm import FSMFieldMixin, FSMModelMixin

from .audit import stamp
from .errors import DomainError


class StateMachineMixin(FSMModelMixin):
    """The mixin of every stateful model: refresh_from_db() works with its protected state field (django-fsm),
    and full_clean() leaves that field alone, since only transitions change it."""

    def clean_fields(self, exclude=None):
        protected = {f.name for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected}
        super().clean_fields(exclude=set(exclude or ()) | protected)


def ask(action: str, via: str | None = None):
    """A transition's permission: may the user take `action` on the object, or on the object found by
    following the dotted attribute path `via` from it (e.g. "organization", "member.organization")?"""

    def permission(obj, user) -> bool:
        from .permissions import may

        target = obj
        for name in via.split(".") if via else ():
            target = getattr(target, name)
        return may(user, action, target)

    permission.action = action
    return permission


def _meta(method):
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{method.__name__} is not a django-fsm transition")
    return meta


def state_field_name(meta) -> str:
    return meta.field if isinstance(meta.field, str) else meta.field.name


def label_of(method) -> str:
    """The Chinese label of a transition method (the same for every source state)."""
    transition = next(iter(_meta(method).transitions.values()))
    return transition.custom.get("label", method.__name__)


def state_display(obj, field: str) -> str:
    return getattr(obj, f"get_{field}_display")()


def take(
    obj,
    name: str,
    by,
    *,
    comment: str = "",
    refused: str | None = None,
    blocked: str | Callable[[], str | None] | None = None,
) -> None:
    """Take the transition `name` on `obj` for the user `by`, or raise without changing anything.

    From a state the transition does not leave: DomainError(`refused`, or "<对象>当前为“<状态>”，不能<label>。…").
    Conditions unmet: DomainError(`blocked` (or what it returns when it is a function), or "现在还不能<label>。"). Permission refused: PermissionDenied with
    the refusal message of the permission's action. The caller saves `obj` afterwards (inside its transaction);
    the history record of that save carries `by`, the label and `comment`.
    """
    check(obj, name, by, refused=refused, blocked=blocked)
    getattr(obj, name)()
    stamp(obj, by, label_of(getattr(obj, name)), comment)


def check(
    obj,
    name: str,
    by,
    *,
    refused: str | None = None,
    blocked: str | Callable[[], str | None] | None = None,
) -> None:
    """Raise as `take` would, without taking the transition: for a service that checks its input after the
    state (so that a stale page hears "已被他人处理" rather than about its input)."""
    method = getattr(obj, name)
    meta = _meta(method)
    field = state_field_name(meta)
    state = getattr(obj, field)
    label = label_of(method)
    transition = meta.get_transition(state)
    if transition is None or not meta.has_transition(state):
        what = obj._meta.verbose_name
        raise DomainError(
            refused or f"{what}当前为“{state_display(obj, field)}”，不能{label}。可能已被他人处理，请刷新页面。"
        )
    if not meta.conditions_met(obj, state):
        raise DomainError((blocked() if callable(blocked) else blocked) or f"现在还不能{label}。")
    if transition.permission is not None and not transition.has_perm(obj, by):
        raise PermissionDenied(_refusal(transition.permission))


def _refusal(permission) -> str:
    from .permissions import refusal

    action = getattr(permission, "action", None)
    try:
        return refusal(action) if action is not None else "您无权执行此操作。"
    except LookupError:
        return "您无权执行此操作。"


def available(obj, user, field: str = "status") -> set[str]:
    """Names of the transitions `user` may take on `obj` now (state, conditions and permission allow them)."""
    return {t.name for t in getattr(obj, f"get_available_user_{field}_transitions")(user)}
