"""Deadlines that act (issue 13 §3): reminders before the signing deadline, the list of those still unsigned,
late signatures flagged, and the campaign closed at its end date by the nightly job.

篇一: 承诺事项审定后……分别签订《公开承诺书》 within the campaign's timetable; the campaign's 签约截止日期 and
结束日期 are the county's, and a pledge signed after the deadline is marked so it can be counted."""

import datetime

import pytest
from django.urls import reverse

from commitments import selectors, services
from commitments.models import Campaign, Notification, Pledge
from organizations.errors import DomainError
from tests.factories import PASSWORD, MemberFactory, UserFactory

from .conftest import FULL_CHECKS, fresh

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def reminders(user, prefix="sign_deadline:") -> list[str]:
    return list(
        Notification.objects.filter(
            recipient=user, kind=Notification.Kind.SIGN_DEADLINE, dedupe_key__startswith=prefix
        ).values_list("dedupe_key", flat=True)
    )


def summaries(user) -> list[str]:
    """The secretary's line about his branch (he may also hear as a member who has not pledged)."""
    return reminders(user, "sign_deadline:o")


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.remind_sign_deadline()

    return run


def test_reminders_3_and_1_days_before_the_signing_deadline_once_each(world, draft, remind, time_machine):
    """The unsigned pledger, a member with no pledge at all and the branch secretary hear 3 days and 1 day before
    the deadline (2025-03-31), once each, however often the job runs."""
    time_machine.move_to(at("2025-03-20"))
    draft()  # 王党员: a draft, not signed
    idle = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(username="idle"), name="钱党员")
    time_machine.move_to(at("2025-03-27"))
    remind()
    assert reminders(world.member.user) == [] and reminders(world.secretary) == []
    time_machine.move_to(at("2025-03-28"))  # 3 days before
    remind()
    remind()  # twice the same day: nothing new
    assert len(reminders(world.member.user)) == 1 and len(reminders(idle.user)) == 1
    assert len(summaries(world.secretary)) == 1
    text = Notification.objects.get(recipient=world.secretary, dedupe_key__startswith="sign_deadline:o").text
    assert "2025年3月31日" in text and "名党员未签约" in text
    time_machine.move_to(at("2025-03-29"))
    remind()
    assert len(reminders(world.member.user)) == 1
    time_machine.move_to(at("2025-03-30"))  # 1 day before
    remind()
    assert len(reminders(world.member.user)) == 2 and len(summaries(world.secretary)) == 2
    time_machine.move_to(at("2025-04-01"))  # past the deadline: reminders stop
    remind()
    assert len(reminders(world.member.user)) == 2


def test_a_missed_day_is_caught_up_and_signed_pledgers_are_left_alone(world, pledge_in, remind, time_machine):
    time_machine.move_to(at("2025-03-20"))
    pledge_in("signed")  # 王党员 signed already
    time_machine.move_to(at("2025-03-29"))  # the job did not run on the 28th
    remind()
    assert reminders(world.member.user) == []
    assert [k.rsplit(":", 1)[1] for k in summaries(world.secretary)] == ["3"]  # 李书记 himself is unsigned


def test_a_signature_after_the_deadline_is_flagged_and_counted(client, world, pledge_in, time_machine):
    """逾期签约: signed on 2025-04-02, after the deadline of 2025-03-31; one signed on the day itself is on time."""
    time_machine.move_to(at("2025-03-31", 23))
    on_time = pledge_in("signed", member=world.secretary_member)
    assert not on_time.signed_late
    time_machine.move_to(at("2025-04-02"))
    late = pledge_in("signed")
    assert late.signed_late and late.campaign.signed_late(late.signed_at)
    assert selectors.late_signed_count(campaign=world.campaign, org=world.tree.branch_a1) == 1
    client.force_login(world.secretary)
    assert "逾期签约" in client.get(late.get_absolute_url()).content.decode()
    assert "逾期签约" not in client.get(on_time.get_absolute_url()).content.decode()
    ledger = client.get(reverse("commitments:ledger"), {"org": world.tree.branch_a1.code}).content.decode()
    assert "逾期签约 1 份" in ledger and ledger.count(">逾期签约</span>") == 1


def test_unsigned_members_past_the_deadline_for_the_branch_and_its_superiors(client, world, pledge_in, time_machine):
    time_machine.move_to(at("2025-03-20"))
    pledge_in("signed")  # 王党员 signed; 李书记 has nothing
    draft_member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(username="d"), name="孙党员")
    services.pledge_create_for_member(member=draft_member, organization=world.tree.branch_a1, by=draft_member.user)
    time_machine.move_to(at("2025-04-05"))
    for user, org in ((world.secretary, world.tree.branch_a1), (world.committee, world.tree.town_a)):
        client.force_login(user)
        response = client.get(reverse("commitments:ledger"), {"org": org.code, "view": "unsigned"})
        page = response.content.decode()
        names = [m.name for m in response.context["page"].object_list]
        assert "李书记" in names and "孙党员" in names and "王党员" not in names, user
        assert "已过截止日期" in page and "未起草" in page and "草拟" in page


def test_the_unsigned_list_is_flat(client, world, time_machine, django_assert_max_num_queries):
    time_machine.move_to(at("2025-04-05"))
    client.force_login(world.committee)
    url = reverse("commitments:ledger") + f"?org={world.tree.town_a.code}&view=unsigned"
    for _ in range(2):
        MemberFactory(organization=world.tree.branch_a2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(12):
        MemberFactory(organization=world.tree.branch_a2)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.context["page"].paginator.count >= 14


def test_the_campaign_is_closed_at_its_end_date_by_the_job(world, time_machine):
    time_machine.move_to(at("2025-12-31", 23))
    assert services.close_ended_campaigns() == 0
    assert fresh(world.campaign).status == Campaign.Status.OPEN
    time_machine.move_to(at("2026-01-01", 0))
    assert services.close_ended_campaigns() == 1
    closed = fresh(world.campaign)
    assert closed.status == Campaign.Status.CLOSED
    assert closed.history.filter(history_change_reason__startswith="到期自动结束").exists()
    assert services.close_ended_campaigns() == 0  # safe to run twice


def test_the_tasks_run_the_services(world, time_machine):
    from commitments import tasks

    time_machine.move_to(at("2026-01-02"))
    assert tasks.close_ended_campaigns.apply().get() == 1
    assert tasks.remind_sign_deadline.apply().get() == 0


def test_paper_and_form_dates_default_inside_the_campaign(world, time_machine):
    """Issue 13 §8: a form's default date is today while the campaign runs, else its last day."""
    campaign = world.campaign
    time_machine.move_to(at("2025-06-15"))
    assert campaign.default_date() == datetime.date(2025, 6, 15)
    time_machine.move_to(at("2026-12-03"))
    assert campaign.default_date() == datetime.date(2025, 12, 31)
    assert campaign.default_date(datetime.date(2024, 12, 1)) == datetime.date(2025, 1, 1)


def test_beat_runs_both_jobs_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"commitments.tasks.remind_sign_deadline", "commitments.tasks.close_ended_campaigns"} <= tasks


def test_the_log_and_opinion_forms_default_inside_the_campaign(client, world, published, time_machine):
    """Issue 13 §8: once the 2025 campaign has ended, the fulfilment log's date defaults to its last day."""
    time_machine.move_to(at("2025-06-15"))
    pledge = published()
    client.force_login(world.member.user)
    url = reverse("commitments:item_log", args=[pledge.items.first().pk])
    assert 'value="2025-06-15"' in client.get(url).content.decode()
    time_machine.move_to(at("2026-03-01"))
    client.force_login(world.member.user)  # the session of June has expired
    assert 'value="2025-12-31"' in client.get(url).content.decode()


# --- the end of a campaign, read from the dates (no job needed) --------------------------------------------


def test_after_its_end_date_a_campaign_is_over_before_the_job_runs(client, world, pledge_in, draft, time_machine):
    """Issue 13 §3: the day after 结束日期 the campaign is over on every page although still 'open' in the
    database (`make run` has no beat): no new pledge, no editing, no signing; 销号 goes on."""
    time_machine.move_to(at("2025-06-15"))
    signed = pledge_in("published")
    other = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(username="late"), name="迟党员")
    approved = draft(other, n=1)
    services.pledge_submit(pledge=approved, by=other.user)
    services.pledge_approve(pledge=approved, by=world.secretary, checks=FULL_CHECKS)
    time_machine.move_to(at("2026-01-01", 8))
    assert fresh(world.campaign).status == Campaign.Status.OPEN  # the job has not run
    assert not fresh(world.campaign).is_open() and fresh(world.campaign).get_status_display() == "已结束"
    assert services.campaign_for(world.tree.branch_a1) is None
    newcomer = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(username="new"), name="新党员")
    with pytest.raises(DomainError, match="目前没有进行中的承诺批次"):
        services.pledge_create_for_member(member=newcomer, organization=world.tree.branch_a1, by=newcomer.user)
    with pytest.raises(DomainError, match="已于2025年12月31日结束，不能再签署承诺书"):
        services.pledge_sign(pledge=approved, by=other.user, password=PASSWORD, typed_name="迟党员")
    with pytest.raises(DomainError, match="不能再变更承诺"):
        services.pledge_amend(pledge=signed, by=world.member.user, reason="调整")
    assert fresh(approved).status == Pledge.Status.APPROVED and fresh(signed).status == Pledge.Status.PUBLISHED
    # Still open: 销号 of the year's items.
    it = signed.items.first()
    services.item_request_tick_off(item=it, by=world.member.user, note="已完成。")
    services.item_confirm_tick_off(item=it, by=world.secretary)
    assert fresh(it).state == "ticked_off"
    client.force_login(world.committee)
    page = client.get(reverse("commitments:campaigns")).content.decode()
    assert "已结束" in page


def test_a_new_campaign_may_open_once_the_old_one_has_ended(world, people, time_machine):
    time_machine.move_to(at("2026-01-02"))
    new = services.campaign_open(
        organization=world.tree.county,
        by=people.county_committee,
        name="2026年度公开承诺",
        year=2026,
        starts_on=datetime.date(2026, 1, 1),
        sign_deadline=datetime.date(2026, 3, 31),
        ends_on=datetime.date(2026, 12, 31),
    )
    assert services.campaign_for(world.tree.branch_a1) == new
