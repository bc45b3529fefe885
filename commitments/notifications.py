"""In-app notifications, sent when the transaction that caused them commits, once per person per event."""

from __future__ import annotations

from django.db import transaction

from organizations.models import OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, Role

from .models import Notification, Pledge
from .permissions import is_reviewer


def notify(recipients, *, kind: str, text: str, url: str, key: str) -> None:
    """Queue one notification per recipient for after commit; a repeated event (same key) adds nothing."""
    user_ids = sorted({u.pk if hasattr(u, "pk") else u for u in recipients if u is not None})
    if not user_ids:
        return

    def send():
        Notification.objects.bulk_create(
            [
                Notification(recipient_id=uid, kind=kind, text=text[:300], url=url, dedupe_key=key[:120])
                for uid in user_ids
            ],
            ignore_conflicts=True,
        )

    transaction.on_commit(send)


def reviewers_of(pledge: Pledge) -> list[User]:
    """Everyone who may review (and countersign) this pledge."""
    org = pledge.organization if pledge.member_id else pledge.pledger_organization
    paths = org.ancestor_paths()
    codenames = [ROLE_CODENAMES[Role.SECRETARY], ROLE_CODENAMES[Role.COMMITTEE]]
    candidates = User.objects.filter(
        pk__in=OrganizationUserObjectPermission.objects.filter(
            content_object__path__in=paths, permission__codename__in=codenames, content_object__is_active=True
        ).values("user_id"),
        is_active=True,
    )
    return [u for u in candidates if is_reviewer(u, pledge)]


def pledger_users(pledge: Pledge) -> list[User]:
    """Who acts for the pledging side: the member himself, or the officers of the pledging organization."""
    if pledge.member_id and pledge.form == Pledge.Form.WRITTEN:
        return [pledge.member.user] if pledge.member.user_id else []
    org = pledge.organization if pledge.member_id else pledge.pledger_organization
    codenames = [ROLE_CODENAMES[Role.SECRETARY], ROLE_CODENAMES[Role.CLERK]]
    users = list(
        User.objects.filter(
            organizationuserobjectpermission__content_object=org,
            organizationuserobjectpermission__permission__codename__in=codenames,
            is_active=True,
        ).distinct()
    )
    if pledge.member_id and pledge.member.user_id:
        users.append(pledge.member.user)
    return users


def on_password_reset(sender, *, account, by, reset, **kwargs) -> None:
    """Tell the owner of an account that someone else reset its password (he can then raise the alarm)."""
    from django.urls import reverse
    from django.utils import timezone

    at = timezone.localtime(reset.at)
    Notification.objects.get_or_create(
        recipient=account,
        dedupe_key=f"password_reset:{reset.pk}",
        defaults={
            "kind": Notification.Kind.PASSWORD_RESET,
            "text": f"您的登录密码于{at:%Y年%-m月%-d日 %H:%M}由{by.get_full_name()}重置。"
            "如果不是您本人请求的，请立即修改密码并告知上级党组织。",
            "url": reverse("password_change"),
        },
    )
