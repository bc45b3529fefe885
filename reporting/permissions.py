"""Who may do what with statistics forms (篇十二 附件2 and the county's own): registered with organizations' may().

A committee defines forms and issues them to its subtree; it (or a committee above the filling organization
within the issuer's subtree) returns and accepts what was submitted. Each organization's secretary or clerk
fills and submits its own form; a committee fills for an organization it manages when asked to.
"""

from __future__ import annotations

from enum import StrEnum

from organizations.permissions import ALL_ROLES, Role, Rule, holds, register_actions


class ReportAction(StrEnum):
    # On an organization.
    MANAGE_TEMPLATES = "manage_report_templates"
    ISSUE_REPORT = "issue_report"
    VIEW_REPORT = "view_report"
    # On a submission (decided by the rules below).
    FILL_REPORT = "fill_report"
    CHECK_REPORT = "check_report"


def _submission_org(submission):
    return submission.organization


def _by_the_organization(user, action, submission) -> bool:
    """The secretary or clerk of the organization filling in (or a committee above it, filling in for it)."""
    return holds(user, _submission_org(submission), ALL_ROLES)


def _by_the_issuer(user, action, submission) -> bool:
    """A committee of the issuing organization (or above it); not the filling organization's own committee
    role when it is the issuer itself checking its own 本级 form, which nobody above it checks."""
    return holds(user, submission.issue.organization, {Role.COMMITTEE})


register_actions(
    ReportAction,
    {
        ReportAction.MANAGE_TEMPLATES: Rule("只有上级党委可以制定统计表。", {Role.COMMITTEE}),
        ReportAction.ISSUE_REPORT: Rule("只有上级党委可以下发统计表。", {Role.COMMITTEE}),
        ReportAction.VIEW_REPORT: Rule("您无权查看该党组织的统计表。", ALL_ROLES),
        ReportAction.FILL_REPORT: Rule("只有本组织的书记、党务干事或上级党委可以填报。", check=_by_the_organization),
        ReportAction.CHECK_REPORT: Rule("只有下发统计表的党委可以审核或退回。", check=_by_the_issuer),
    },
)
