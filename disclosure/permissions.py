"""Who may do what with print jobs: registered with the permission module of organizations."""

from __future__ import annotations

from enum import StrEnum

from organizations.permissions import Rule, register_actions


class DisclosureAction(StrEnum):
    VIEW_JOB = "view_job"


def _started_it(user, action, job) -> bool:
    return job.started_by_id == user.pk


register_actions(
    DisclosureAction,
    {DisclosureAction.VIEW_JOB: Rule("只有发起该任务的人可以查看和下载它的结果。", check=_started_it)},
)
