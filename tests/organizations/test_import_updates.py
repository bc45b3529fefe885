"""The roster import updates members it finds by 身份证号 (issue 13 §7): the preview says of each row whether it
is 新增, 更新 (with each changed column, personal data masked) or 无变化 (skipped); updates are written with their
history, only by someone who manages the member, and never into an organization outside the import's scope."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from disclosure.models import Job
from organizations.audit import timeline
from organizations.models import Member
from organizations.permissions import Role
from organizations.resources import (
    MemberResource,
    import_commit,
    import_job_start,
    import_preview,
    import_upload_path,
    import_upload_save,
    read_xlsx,
)
from organizations.services import member_update
from tests.factories import MemberFactory
from tests.jobs import wait_for
from tests.xlsx import MEMBER_HEADERS, member_row, xlsx


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.town_a, full_name="甲镇干事")


@pytest.fixture
def member(tree):
    return MemberFactory(
        organization=tree.branch_a1,
        name="王建国",
        birth_date=datetime.date(1968, 3, 5),
        phone="13912345678",
        post="农民",
        join_date=datetime.date(1995, 7, 1),
    )


def row_of(member, **changes):
    """The member's roster row as the import template has it, with `changes`."""
    values = {
        "姓名": member.name,
        "性别": member.get_gender_display(),
        "出生日期": member.birth_date,
        "身份证号": member.id_number,
        "联系电话": member.phone,
        "政治面貌": member.get_political_status_display(),
        "入党时间": member.join_date,
        "职务/岗位": member.post,
        "所在党组织代码": member.organization.code,
        "领导干部": "是" if member.is_leader else "否",
    }
    values.update(changes)
    return [values[h] for h in MEMBER_HEADERS]


def preview(content, tree, by):
    return import_preview(kind="members", content=content, scope=tree.town_a, by=by)


def commit(content, tree, by, **kwargs):
    return import_commit(kind="members", content=content, scope=tree.town_a, by=by, **kwargs)


def test_a_known_id_number_updates_the_member_with_history(tree, clerk, member):
    content = xlsx(
        MEMBER_HEADERS,
        [
            member_row("CA1", 1),
            row_of(member, 联系电话="13987654321", **{"职务/岗位": "党小组长", "所在党组织代码": "CA2"}),
        ],
    )
    report = preview(content, tree, clerk)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0)
    new, update = report.rows
    assert (new.row, new.action, new.label, new.changes) == (2, "new", "新增", [])
    assert (update.row, update.action, update.label, update.name) == (3, "update", "更新", "王建国")
    assert [(c.column, c.old, c.new) for c in update.changes] == [
        ("联系电话", "139****5678", "139****4321"),
        ("职务/岗位", "农民", "党小组长"),
        ("所在党组织代码", "甲镇一村党支部", "甲镇二村党支部"),
    ]
    member.refresh_from_db()
    assert member.phone == "13912345678" and member.history.count() == 1  # a preview writes nothing

    report = commit(content, tree, clerk)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert report.done_message("名党员") == "导入完成：新增 1 名党员，更新 1 名党员。"
    member.refresh_from_db()
    assert (member.phone, member.post, member.organization) == ("13987654321", "党小组长", tree.branch_a2)
    assert Member.objects.count() == 2
    latest = member.history.first()
    assert member.history.count() == 2 and latest.history_type == "~" and latest.history_user == clerk
    assert member.updated_at == latest.history_date
    change = timeline(member, clerk)[-1]
    assert change.by == "甲镇干事" and "职务/岗位：农民 → 党小组长" in change.action
    assert "所在党组织：甲镇一村党支部 → 甲镇二村党支部" in change.action


def test_an_unchanged_row_is_skipped_and_reported(tree, clerk, member):
    before = member.updated_at
    content = xlsx(MEMBER_HEADERS, [row_of(member), member_row("CA1", 1)])
    report = preview(content, tree, clerk)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 0, 1)
    assert [(r.row, r.label) for r in report.rows] == [(2, "无变化"), (3, "新增")]
    report = commit(content, tree, clerk)
    assert report.ok and report.done_message("名党员") == (
        "导入完成：新增 1 名党员，更新 0 名党员，另有 1 名党员的信息没有变化，未改动。"
    )
    member.refresh_from_db()
    assert member.updated_at == before and member.history.count() == 1


def test_a_file_that_only_repeats_the_roster_has_nothing_to_import(tree, clerk, member, client):
    content = xlsx(MEMBER_HEADERS, [row_of(member)])
    report = preview(content, tree, clerk)
    assert report.ok and not report.has_changes and report.unchanged == 1
    client.force_login(clerk)
    response = client.post(
        reverse("organizations:import", args=["CA", "members"]), {"file": SimpleUploadedFile("名册.xlsx", content)}
    )
    page = response.content.decode()
    assert response.context["token"] is None and 'name="token"' not in page and "确认导入（" not in page
    assert "与系统中的信息完全一致，没有需要导入的内容" in page and "无变化" in page


def test_the_preview_page_shows_each_row_and_the_masked_changes(tree, clerk, member, client):
    client.force_login(clerk)
    unchanged = MemberFactory(organization=tree.branch_a2, name="李红")
    content = xlsx(
        MEMBER_HEADERS,
        [
            row_of(member, 联系电话="13987654321", 入党时间="1996-07-01"),
            member_row("CA1", 1, 姓名="新党员"),
            row_of(unchanged),
        ],
    )
    url = reverse("organizations:import", args=["CA", "members"])
    response = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", content)})
    page = response.content.decode()
    assert "校验通过：共 3 行，全部可以导入：新增 1 名党员，更新 1 名党员，1 名党员无变化，将跳过。" in page
    rows = page.split('id="import-rows"')[1].split("</table>")[0]
    assert rows.count("<tr") == 4  # the header and one line a row
    assert "王建国" in rows and ">更新<" in rows and "139****5678" in rows and "139****4321" in rows
    text = " ".join(strip_tags(rows).split())
    assert "联系电话：139****5678 → 139****4321" in text and "入党时间：1995-07-01 → 1996-07-01" in text
    assert "<strong>1996-07-01</strong>" in rows  # the new value stands out
    assert "新党员" in rows and ">新增<" in rows and "李红" in rows and ">无变化<" in rows
    # Personal data stays masked: neither the phone numbers nor the 身份证号 appear in full.
    assert "13912345678" not in page and "13987654321" not in page and member.id_number not in page
    assert member.id_number[:4] + "*" * 10 + member.id_number[-4:] in rows
    assert "确认导入（新增 1，更新 1）" in page

    response = client.post(
        reverse("organizations:import_confirm", args=["CA", "members"]), {"token": response.context["token"]}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "13987654321" and member.join_date == datetime.date(1996, 7, 1)
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 1 名党员，更新 1 名党员，另有 1 名党员的信息没有变化，未改动。" in page


def test_a_member_outside_the_users_organizations_is_not_updated(tree, clerk):
    stranger = MemberFactory(organization=tree.branch_b1, post="农民")
    content = xlsx(
        MEMBER_HEADERS, [member_row("CA1", 0), row_of(stranger, **{"职务/岗位": "会计", "所在党组织代码": "CA1"})]
    )
    report = commit(content, tree, clerk)
    assert not report.ok and len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.row, problem.column) == (3, "身份证号")
    assert problem.message == "身份证号已存在于系统中：该党员在“乙镇一村党支部”，不在您管理的范围内，不能通过导入修改。"
    stranger.refresh_from_db()
    assert stranger.organization == tree.branch_b1 and stranger.post == "农民" and stranger.history.count() == 1
    assert Member.objects.count() == 1


def test_the_county_may_update_a_member_of_any_town(tree, user_with_role):
    county_clerk = user_with_role(Role.CLERK, tree.county)
    someone = MemberFactory(organization=tree.branch_b1, post="农民")
    content = xlsx(MEMBER_HEADERS, [row_of(someone, **{"职务/岗位": "会计", "所在党组织代码": "CA1"})])
    report = commit(content, tree, county_clerk)  # imported into 甲镇: he moves from 乙镇 to 甲镇一村
    assert report.ok and report.updated == 1
    someone.refresh_from_db()
    assert someone.organization == tree.branch_a1 and someone.post == "会计"


def test_a_member_cannot_be_moved_out_of_the_imports_scope(tree, clerk, member):
    content = xlsx(MEMBER_HEADERS, [row_of(member, 所在党组织代码="CB1")])
    report = commit(content, tree, clerk)
    assert not report.ok and len(report.problems) == 1
    problem = report.problems[0]
    assert problem.column == "所在党组织代码"
    assert problem.message == (
        "不能把该党员转入“乙镇一村党支部”（CB1）：该组织不在本次导入的范围（甲镇党委）内，只能转入本范围内的党组织。"
    )
    member.refresh_from_db()
    assert member.organization == tree.branch_a1 and member.history.count() == 1


def test_a_member_changed_after_the_upload_is_not_overwritten(tree, clerk, member, user_with_role):
    content = xlsx(MEMBER_HEADERS, [row_of(member, 联系电话="13987654321")])
    uploaded_at = timezone.now()
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    member_update(member=member, by=secretary, post="村会计")  # someone else, after the preview
    report = commit(content, tree, clerk, since=uploaded_at)
    assert not report.ok and report.problems[0].column == "身份证号"
    assert "在您上传文件之后被他人修改过" in report.problems[0].message
    member.refresh_from_db()
    assert member.phone == "13912345678" and member.post == "村会计"


def test_a_member_changed_between_the_check_and_the_write_is_not_overwritten(tree, clerk, member, user_with_role):
    resource = MemberResource(scope=tree.town_a, by=clerk)
    resource.check(read_xlsx(xlsx(MEMBER_HEADERS, [row_of(member, 联系电话="13987654321")])))
    assert len(resource.checked_updates) == 1
    member_update(member=member, by=user_with_role(Role.SECRETARY, tree.branch_a1), post="村会计")
    problems = resource.recheck()
    assert [(p.row, p.column) for p in problems] == [(2, "身份证号")]


def test_a_second_row_with_the_same_id_number_is_a_duplicate(tree, clerk, member):
    content = xlsx(MEMBER_HEADERS, [row_of(member, 联系电话="13987654321"), row_of(member, 联系电话="13800000000")])
    report = commit(content, tree, clerk)
    assert [(p.row, p.message) for p in report.problems] == [(3, "身份证号与第 2 行重复。")]
    member.refresh_from_db()
    assert member.phone == "13912345678"


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_a_preview_job_lists_the_updates_on_its_page(client, tree, clerk, member):
    token = import_upload_save(
        xlsx(MEMBER_HEADERS, [row_of(member, **{"职务/岗位": "党小组长"}), member_row("CA1", 1)])
    )
    job = wait_for(import_job_start(kind="members", stage="preview", token=token, scope=tree.town_a, by=clerk))
    assert job.state == Job.State.DONE and job.outcome["ok"]
    assert (job.outcome["created"], job.outcome["updated"]) == (1, 1)
    assert job.outcome["shown_rows"][0]["changes"] == [{"column": "职务/岗位", "old": "农民", "new": "党小组长"}]
    client.force_login(clerk)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "新增 1 名党员，更新 1 名党员" in page and ">更新<" in page and "<strong>党小组长</strong>" in page
    assert "确认导入（新增 1，更新 1）" in page

    since = timezone.now()
    commit_job = wait_for(
        import_job_start(kind="members", stage="commit", token=token, scope=tree.town_a, by=clerk, since=since)
    )
    assert commit_job.state == Job.State.DONE and commit_job.outcome["ok"]
    assert commit_job.outcome["done_message"] == "导入完成：新增 1 名党员，更新 1 名党员。"
    member.refresh_from_db()
    assert member.post == "党小组长" and not import_upload_path(token).exists()


def test_confirming_after_someone_changed_the_member_refuses_the_file(tree, clerk, member, client, user_with_role):
    client.force_login(clerk)
    content = xlsx(MEMBER_HEADERS, [row_of(member, 联系电话="13987654321")])
    response = client.post(
        reverse("organizations:import", args=["CA", "members"]), {"file": SimpleUploadedFile("名册.xlsx", content)}
    )
    member_update(member=member, by=user_with_role(Role.SECRETARY, tree.branch_a1), post="村会计")
    response = client.post(
        reverse("organizations:import_confirm", args=["CA", "members"]), {"token": response.context["token"]}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "在您上传文件之后被他人修改过" in page and "第 2 行" in page
    member.refresh_from_db()
    assert member.phone == "13912345678" and member.post == "村会计"
