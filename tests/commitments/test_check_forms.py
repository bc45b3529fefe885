"""The 季度检查 and 月度自查 forms on a phone (issue 14 §1, §2): radios as large buttons, one item per card."""

import re

import pytest
from django.urls import reverse

from commitments.forms import InspectionForm
from commitments.models import SelfCheck
from tests.organizations.test_choice_widgets import assert_every_input_has_its_label

pytestmark = pytest.mark.django_db


def test_the_quarterly_inspection_offers_its_result_as_buttons(client, world, pledge_in):
    pledge = pledge_in("published")
    client.force_login(world.secretary)
    page = client.get(reverse("commitments:inspect", args=[pledge.pk])).content.decode()

    assert not re.search(r'<div[^>]*class="[^"]*form-check-input', page)
    choices = len(InspectionForm.base_fields["result"].choices) + len(InspectionForm.base_fields["reasons"].choices)
    assert page.count('class="btn-check"') == choices
    assert page.count('type="radio"') == 2 and page.count('type="checkbox"') == 3
    assert_every_input_has_its_label(page)

    # 不通过 with its reasons can be chosen and is saved.
    response = client.post(
        reverse("commitments:inspect", args=[pledge.pk]),
        {
            "year": 2025,
            "quarter": 4,
            "result": "fail",
            "reasons": [InspectionForm.base_fields["reasons"].choices[0][0]],
        },
    )
    assert response.status_code == 302
    inspection = pledge.inspections.get()
    assert inspection.result == "fail" and inspection.problem_unsolved


def test_the_monthly_self_check_gives_each_item_its_card_and_buttons(client, world, pledge_in):
    pledge = pledge_in("published", n=3)
    client.force_login(world.member.user)
    page = client.get(reverse("commitments:self_check", args=[pledge.pk])).content.decode()

    assert page.count("self-check-item") == 3
    assert page.count('class="btn-check"') == 3 * len(SelfCheck.Result.choices)
    assert page.count("<legend") == 3
    assert_every_input_has_its_label(page)


def test_the_quarterly_inspection_is_not_opened_twice_in_a_quarter(client, world, pledge_in):
    pledge = pledge_in("published")
    client.force_login(world.secretary)
    url = reverse("commitments:inspect", args=[pledge.pk])
    assert client.post(url, {"year": 2025, "quarter": 4, "result": "pass"}).status_code == 302

    response = client.get(url, follow=True)

    assert response.redirect_chain == [(pledge.get_absolute_url(), 302)]
    assert "2025年第4季度已检查过这份承诺书。" in response.content.decode()
