"""Each role's pages at 1280 and 375 px, on the demo data: axe-core finds no serious or critical violation and no page
scrolls sideways (issue 14, "Accessibility and phone fit as a standard"). The journeys in the other browser tests are
audited the same way (conftest.py); this walk covers the pages a role opens from the menu without a journey."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments.models import Pledge, PledgeItem
from demo.organizations import DEMO_PASSWORD
from evaluations.models import Appraisal, Bulletin, Ranking, Rectification
from organizations.models import Activity, Member, Organization
from reporting.models import ReportIssue
from tests.browser.pages import log_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)
BRANCH = "430621001001"  # 红星村 in the demo tree


def first_pk(queryset):
    obj = queryset.order_by("pk").first()
    return obj.pk if obj else None


def pages_by_role():
    """The addresses each demo account opens in a week's work, from the seeded data."""
    branch = Organization.objects.get(code=BRANCH)
    town = Organization.objects.get_parent(branch)
    county = Organization.objects.get_root_nodes().first()
    in_branch = Pledge.objects.filter(organization=branch)
    member = Member.objects.get(user__username="dangyuan1")
    own = in_branch.filter(member=member).exclude(status=Pledge.Status.SUPERSEDED).order_by("-pk").first()
    published = (
        in_branch.filter(status=Pledge.Status.PUBLISHED, member__isnull=False)
        .exclude(member__user__username="shuji")
        .order_by("pk")
        .first()
    )
    submitted = in_branch.filter(status=Pledge.Status.SUBMITTED, member__isnull=False).exclude(
        member__user__username="shuji"
    )
    ticking = PledgeItem.objects.filter(state=PledgeItem.State.TICK_REQUESTED, pledge__organization=branch)
    logged = PledgeItem.objects.filter(pledge__organization=branch, logs__isnull=False)
    some = {
        "appraisal": first_pk(Appraisal.objects.filter(organization__path__startswith=branch.path)),
        "town_appraisal": first_pk(Appraisal.objects.filter(organization__path__startswith=town.path)),
        "rectification": first_pk(Rectification.objects.filter(organization__path__startswith=branch.path)),
        "town_rectification": first_pk(Rectification.objects.filter(organization__path__startswith=town.path)),
        "bulletin": first_pk(Bulletin.objects.filter(organization__path__startswith=town.path)),
        "ranking": first_pk(Ranking.objects.all()),
        "issue": first_pk(ReportIssue.objects.all()),
        "activity": first_pk(Activity.objects.filter(organization=branch)),
        "submitted": first_pk(submitted),
        "ticking": first_pk(ticking),
        "logged": first_pk(logged),
    }

    def url(name, *args, query=""):
        if any(a is None for a in args):
            return None
        return reverse(name, args=args) + query

    anonymous = [
        url("disclosure:search"),
        url("disclosure:board", BRANCH),
        url("disclosure:board", town.code),
        url("disclosure:supervise", BRANCH),
        url("disclosure:track"),
        url("evaluations:ballot"),
        url("login"),
    ]
    member_pages = [
        url("home"),
        url("commitments:my_pledges"),
        url("commitments:pledge_detail", own.pk),
        url("commitments:self_check", own.pk) if own.status == Pledge.Status.PUBLISHED else None,
        url("evaluations:record_mine"),
        url("evaluations:review_mine"),
        url("commitments:notifications"),
        url("password_change"),
    ]
    secretary = [
        url("home"),
        url("commitments:queues"),
        url("commitments:queues", query="?tab=tick"),
        url("commitments:ledger"),
        url("commitments:ledger", query="?view=unsigned"),
        url("organizations:members"),
        url("organizations:member_detail", member.pk),
        url("organizations:member_edit", member.pk),
        url("organizations:member_create"),
        url("commitments:pledge_create_oral", member.pk),
        url("organizations:detail", BRANCH),
        url("commitments:opinions", BRANCH),
        url("commitments:checks_due", BRANCH),
        url("commitments:pledge_detail", published.pk),
        url("commitments:inspect", published.pk),
        url("commitments:item_log", some["logged"]),
        url("commitments:item_tick", some["ticking"]),
        url("commitments:pledge_review", some["submitted"]),
        url("disclosure:inbox", BRANCH),
        url("disclosure:log", BRANCH),
        url("disclosure:board_setting", BRANCH),
        url("disclosure:print"),
        url("evaluations:appraisals"),
        url("evaluations:appraisal_detail", some["appraisal"]),
        url("evaluations:rectifications"),
        url("evaluations:rectification_detail", some["rectification"]),
        url("organizations:activities", BRANCH),
        url("organizations:activity_create", BRANCH),
        url("organizations:activity_detail", some["activity"]),
        url("evaluations:record_org", BRANCH),
        url("evaluations:bulletin_index", BRANCH),
        url("evaluations:review_org", BRANCH),
        url("organizations:exemptions"),
        url("organizations:import", BRANCH, "members"),
    ]
    town_committee = [
        url("home"),
        url("commitments:queues"),
        url("organizations:tree"),
        url("organizations:detail", town.code),
        url("evaluations:review_org_new", BRANCH),
        url("evaluations:review_index"),
        url("evaluations:grade_index"),
        url("evaluations:award_index"),
        url("evaluations:award_nominate", town.code),
        url("evaluations:bulletin_detail", some["bulletin"]),
        url("evaluations:appraisal_detail", some["town_appraisal"]),
        url("evaluations:rectification_detail", some["town_rectification"]),
    ]
    county_committee = [
        url("home"),
        url("evaluations:dashboard"),
        url("commitments:campaigns"),
        url("evaluations:ranking_list"),
        url("evaluations:ranking_detail", some["ranking"]),
        url("evaluations:contact_points"),
        url("evaluations:appraisal_missing"),
        url("reporting:index", county.code),
        url("reporting:issue", some["issue"]),
        url("organizations:roles", county.code),
        url("organizations:detail", county.code),
    ]
    roles = {
        None: anonymous,
        "dangyuan1": member_pages,
        "shuji": secretary,
        "zhenwei": town_committee,
        "xianwei": county_committee,
    }
    return {role: [u for u in urls if u] for role, urls in roles.items()}


# One test per width, so that the parallel workers of `make test` each take one.
@pytest.mark.parametrize("width", WIDTHS)
def test_every_role_s_pages_pass_axe_and_fit_the_screen(browser, live_server, audit, settings, width):
    call_command("seed_demo", size="small", verbosity=0)
    settings.AXES_ENABLED = False
    walk = pages_by_role()
    assert sum(len(urls) for urls in walk.values()) >= 60, walk

    for role, urls in walk.items():
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
        page = log_in(context, live_server, role, password=DEMO_PASSWORD) if role else context.new_page()
        for address in urls:
            response = page.goto(f"{live_server.url}{address}")
            assert response.ok, f"{role} {address}: HTTP {response.status}"
            audit.check(page)
        context.close()
