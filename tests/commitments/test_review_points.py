"""审诺 points are campaign data (issue 13 §7): 篇六's four by default (体现先进性要求、体现岗位职责特点、符合群众意愿、
切实可行), 篇四's fifth (以正在干的事情为中心) chosen when a campaign is opened; each review keeps its answer per
point, and reviews written before keep reading as they were."""

import importlib

import pytest
from django.urls import reverse

from commitments import services
from commitments.forms import CampaignForm
from commitments.models import DEFAULT_REVIEW_POINTS, Campaign, Review
from organizations.errors import DomainError

from .conftest import FULL_CHECKS, fresh

FIVE = ["reflects_advanced_nature", "centres_on_current_work", "fits_post_duties", "meets_public_wishes", "is_feasible"]


def test_a_campaign_asks_the_four_points_of_pian_liu_by_default(world):
    assert world.campaign.review_points == list(DEFAULT_REVIEW_POINTS)
    assert [label for _, label in world.campaign.review_checklist()] == [
        "体现先进性要求",
        "体现岗位职责特点",
        "符合群众意愿",
        "切实可行",
    ]


def test_the_campaign_form_offers_the_fifth_point_of_pian_si(world):
    form = CampaignForm(
        {
            "name": "试点批次",
            "year": 2026,
            "starts_on": "2026-01-01",
            "sign_deadline": "2026-03-31",
            "ends_on": "2026-12-31",
            "min_items": 1,
            "leader_min_items": 3,
            "weight_satisfied": "1",
            "weight_basically": "1",
            "weight_unsatisfied": "0",
            "review_points": ["is_feasible", "centres_on_current_work"],
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["review_points"] == ["centres_on_current_work", "is_feasible"]
    assert "以正在干的事情为中心（篇四）" in str(form["review_points"])
    empty = CampaignForm({**form.data, "review_points": []})
    assert not empty.is_valid() and "请至少选择一项审核要点" in empty.errors["review_points"][0]


@pytest.fixture
def five_points(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(review_points=FIVE)
    return fresh(world.campaign)


def test_approval_needs_every_point_the_campaign_asks(world, pledge_in, five_points):
    pledge = pledge_in("submitted")
    with pytest.raises(DomainError, match="审定通过须五项审核要点全部符合，尚未勾选：以正在干的事情为中心"):
        services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    assert fresh(pledge).status == "submitted"
    services.pledge_approve(pledge=pledge, by=world.secretary, checks={key: True for key in FIVE})
    review = Review.objects.get(pledge=pledge)
    assert [p["key"] for p in review.checklist] == FIVE and all(p["passed"] for p in review.checklist)
    assert review.passed_checks()[1] == "以正在干的事情为中心"


def test_a_return_keeps_the_answer_per_point(world, pledge_in, five_points):
    pledge = pledge_in("submitted")
    services.pledge_return(
        pledge=pledge, by=world.secretary, comment="请围绕正在干的事情承诺。", checks={"is_feasible": True}
    )
    review = Review.objects.get(pledge=pledge)
    assert review.points() == [
        ("体现先进性要求", False),
        ("以正在干的事情为中心", False),
        ("体现岗位职责特点", False),
        ("符合群众意愿", False),
        ("切实可行", True),
    ]
    assert review.is_feasible and not review.centres_on_current_work


def test_the_review_page_and_the_pledge_page_show_the_campaigns_points(client, world, pledge_in, five_points):
    pledge = pledge_in("submitted")
    client.force_login(world.secretary)
    url = reverse("commitments:pledge_review", args=[pledge.pk])
    page = client.get(url).content.decode()
    assert "以正在干的事情为中心" in page and page.count('type="checkbox"') == 5
    refused = client.post(url, {"decision": "approve", **dict.fromkeys(FULL_CHECKS, "on")}).content.decode()
    assert "尚未勾选：以正在干的事情为中心" in refused
    client.post(url, {"decision": "approve", **dict.fromkeys(FIVE, "on")})
    assert fresh(pledge).status == "approved"
    detail = client.get(pledge.get_absolute_url()).content.decode()
    assert "☑ 以正在干的事情为中心" in detail


def test_old_reviews_are_migrated_point_by_point():
    """The four boolean columns become the checklist with their labels; and back."""
    migration = importlib.import_module("commitments.migrations.0016_review_points_as_campaign_data")
    flags = {"reflects_advanced_nature": True, "fits_post_duties": False, "meets_public_wishes": True}
    checklist = migration.checklist_from_flags(flags)
    assert [(p["label"], p["passed"]) for p in checklist] == [
        ("体现先进性要求", True),
        ("体现岗位职责特点", False),
        ("符合群众意愿", True),
        ("切实可行", False),
    ]
    assert migration.flags_from_checklist(checklist) == {**flags, "is_feasible": False}


def test_a_review_written_with_the_old_names_still_works(world, pledge_in):
    """The demo and older callers name the four points as the old columns were named."""
    pledge = pledge_in("submitted")
    review = Review.objects.create(
        pledge=pledge, by=world.secretary, decision="approve", reflects_advanced_nature=True, is_feasible=True
    )
    assert fresh(review).passed_checks() == ["体现先进性要求", "切实可行"]
