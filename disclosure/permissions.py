"""Who may do what in this app: registered with the permission module of organizations."""

from __future__ import annotations

from enum import StrEnum

from organizations.permissions import ALL_ROLES, Rule, register_actions


class DisclosureAction(StrEnum):
    VIEW_JOB = "view_job"
    LOG_SUPERVISION = "log_supervision"


def _started_it(user, action, job) -> bool:
    return job.started_by_id == user.pk


register_actions(
    DisclosureAction,
    {
        DisclosureAction.VIEW_JOB: Rule("只有发起该任务的人可以查看和下载它的结果。", check=_started_it),
        # The same people who answer the inbox (PledgeAction.MANAGE_OPINIONS) log what reached them offline.
        DisclosureAction.LOG_SUPERVISION: Rule("您无权为该党组织登记群众意见。", ALL_ROLES),
    },
)
