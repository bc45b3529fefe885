"""联系点 (篇四 “已建立创先争优活动联系点的领导干部”, 篇六 “县级党员领导干部重点点评联系点”, 篇十二): a leader
registers the organizations he keeps as contact points, records his visits there, and may review them; his reviews
and visits count there as 联系领导点评.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require

from ..models import ContactPoint, ContactVisit
from ..permissions import EvaluationAction

NOTE_LIMIT = 500


@transaction.atomic
def contact_point_add(*, by: User, organization: Organization, since: datetime.date | None = None) -> ContactPoint:
    """The leader `by` takes `organization` as his contact point (once)."""
    require(by, EvaluationAction.KEEP_CONTACT_POINTS, organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not organization.is_active:
        raise DomainError("该党组织已停用，不能作为联系点。")
    if ContactPoint.objects.filter(leader=by, organization=organization).exists():
        raise DomainError(f"“{organization.name}”已经是您的联系点。")
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise DomainError("建立联系点的日期不能晚于今天。")
    return ContactPoint.objects.create(leader=by, organization=organization, since=since)


@transaction.atomic
def contact_point_remove(*, by: User, contact_point: ContactPoint) -> None:
    """The leader gives up one of his own contact points (its visits go with it)."""
    contact_point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    require(by, EvaluationAction.KEEP_CONTACT_POINTS, contact_point.organization)
    if contact_point.leader_id != by.pk:
        raise DomainError("只能取消自己的联系点。")
    contact_point.delete()


@transaction.atomic
def contact_visit_add(*, by: User, contact_point: ContactPoint, visited_on: datetime.date, note: str) -> ContactVisit:
    """The leader records a visit of his contact point (走访、调研、指导)."""
    contact_point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    require(by, EvaluationAction.KEEP_CONTACT_POINTS, contact_point.organization)
    if contact_point.leader_id != by.pk:
        raise DomainError("只能登记自己联系点的走访。")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写走访内容。")
    if len(note) > NOTE_LIMIT:
        raise DomainError(f"走访内容最多 {NOTE_LIMIT} 字。")
    if visited_on > timezone.localdate():
        raise DomainError("走访日期不能晚于今天。")
    return ContactVisit.objects.create(contact_point=contact_point, visited_on=visited_on, note=note)
