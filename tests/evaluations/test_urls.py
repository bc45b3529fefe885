"""Every page of evaluations keeps its name and address: templates and tests reverse them, and urls.py lists
them by hand, so a page left out of it must fail here rather than 404 in use."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from evaluations import urls

PAGES = [
    ("appraisals", {}, "/appraisals/"),
    ("appraisal_open", {}, "/appraisals/new/"),
    ("appraisal_missing", {}, "/appraisals/missing/"),
    ("appraisal_detail", {"pk": 7}, "/appraisals/7/"),
    ("appraisal_codes", {"pk": 7}, "/appraisals/7/codes/"),
    ("appraisal_attendance", {"pk": 7}, "/appraisals/7/attendance/"),
    ("appraisal_report", {"pk": 7}, "/appraisals/7/report/"),
    ("appraisal_slips", {"pk": 7}, "/appraisals/7/slips.pdf"),
    ("appraisal_tally", {"pk": 7}, "/appraisals/7/tally/"),
    ("appraisal_close", {"pk": 7}, "/appraisals/7/close/"),
    ("rectifications", {}, "/rectifications/"),
    ("rectification_detail", {"pk": 7}, "/rectifications/7/"),
    ("rectification_submit", {"pk": 7}, "/rectifications/7/submit/"),
    ("rectification_decide", {"pk": 7}, "/rectifications/7/decide/"),
    ("rectification_done", {"pk": 7}, "/rectifications/7/done/"),
    ("ballot", {}, "/pj/"),
    ("ballot_vote", {"code": "AB12"}, "/pj/AB12/"),
    ("ballot_thanks", {"code": "AB12"}, "/pj/AB12/thanks/"),
    ("review_index", {}, "/reviews/"),
    ("review_mine", {}, "/reviews/mine/"),
    ("review_publish", {"pk": 7}, "/reviews/7/publish/"),
    ("review_org", {"code": "X1"}, "/orgs/X1/reviews/"),
    ("review_org_new", {"code": "X1"}, "/orgs/X1/reviews/new/"),
    ("review_history", {"code": "X1"}, "/orgs/X1/reviews/history/"),
    ("review_member_new", {"pk": 7}, "/members/7/reviews/new/"),
    ("contact_points", {}, "/contact-points/"),
    ("contact_point_remove", {"pk": 7}, "/contact-points/7/remove/"),
    ("contact_visit_add", {"pk": 7}, "/contact-points/7/visits/"),
    ("record_mine", {}, "/records/mine/"),
    ("record_comment", {"pk": 7}, "/records/7/comment/"),
    ("record_org", {"code": "X1"}, "/orgs/X1/records/"),
    ("bulletin_index", {"code": "X1"}, "/orgs/X1/bulletins/"),
    ("bulletin_draft", {"code": "X1"}, "/orgs/X1/bulletins/draft/"),
    ("bulletin_detail", {"pk": 7}, "/bulletins/7/"),
    ("bulletin_edit", {"pk": 7}, "/bulletins/7/edit/"),
    ("bulletin_redraft", {"pk": 7}, "/bulletins/7/redraft/"),
    ("bulletin_publish", {"pk": 7}, "/bulletins/7/publish/"),
    ("bulletin_pdf", {"pk": 7}, "/bulletins/7/pdf/"),
    ("award_index", {}, "/awards/"),
    ("award_decide", {"pk": 7}, "/awards/7/decide/"),
    ("award_nominate", {"code": "X1"}, "/orgs/X1/awards/nominate/"),
    ("grade_index", {}, "/grading/"),
    ("grade_confirm", {"pk": 7}, "/pledges/7/grade/"),
    ("ranking_list", {}, "/rankings/"),
    ("ranking_compute", {}, "/rankings/compute/"),
    ("ranking_detail", {"pk": 7}, "/rankings/7/"),
    ("ranking_recompute", {"pk": 7}, "/rankings/7/recompute/"),
    ("ranking_publish", {"pk": 7}, "/rankings/7/publish/"),
    ("ranking_adjust", {"pk": 7}, "/rankings/entries/7/adjust/"),
    ("dashboard", {}, "/stats/"),
    ("dashboard_refresh", {}, "/stats/refresh/"),
    ("dashboard_xlsx", {}, "/stats/statistics.xlsx"),
    ("dashboard_pdf", {}, "/stats/statistics.pdf"),
]


@pytest.mark.parametrize(("name", "kwargs", "address"), PAGES, ids=[page[0] for page in PAGES])
def test_page_keeps_its_name_and_address(name, kwargs, address):
    assert reverse(f"evaluations:{name}", kwargs=kwargs) == address
    match = resolve(address)
    assert match.view_name == f"evaluations:{name}"
    assert match.func.__module__.startswith("evaluations.views.")


def test_urls_lists_exactly_these_pages():
    assert sorted(pattern.name for pattern in urls.urlpatterns) == sorted(page[0] for page in PAGES)


def test_every_page_named_in_a_template_exists():
    named = set()
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for template in Path(directory).rglob("*.html"):
            named |= set(re.findall(r"\{%\s*url\s+['\"]evaluations:(\w+)['\"]", template.read_text(encoding="utf-8")))
    assert named
    assert named <= {page[0] for page in PAGES}
