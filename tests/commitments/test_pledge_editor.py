"""The pledge editor (issue 14 item 3): 责任人 only on an organization's pledge, the opinions listed once per page
whatever the number of items, the chosen opinions kept through a validation error and saved."""

import datetime

import pytest
from django.urls import reverse

from commitments import services
from commitments.forms import PledgeItemForm
from commitments.models import Opinion, Pledge
from organizations.permissions import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

FARMING = "希望组织农技培训，教大家种植新品种，提高收入。"
LIGHTS = "晚上村道黑漆漆的，老人孩子出门不安全，希望装路灯。"


@pytest.fixture
def opinions(world):
    """The world's opinion and two more of branch A1, newest first as the editor lists them."""
    made = [
        services.opinion_create(
            organization=world.tree.branch_a1,
            by=world.clerk,
            channel=Opinion.Channel.BOX,
            source_group=Opinion.SourceGroup.MASSES,
            received_on=datetime.date(2025, 1, day),
            text=text,
        )
        for day, text in ((20, FARMING), (15, LIGHTS))
    ]
    return [*made, world.opinion]


def clerk_of(org):
    clerk = UserFactory()
    grant(clerk, Role.CLERK, org)
    return clerk


def edit_url(pledge):
    return reverse("commitments:pledge_edit", args=[pledge.pk])


def posted(*items, initial=0):
    """The editor's POST: the management form and each item's fields (an item dict may carry `opinions`, a list of
    values posted under items-N-opinions)."""
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "then": "save",
    }
    for n, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{n}-{key}"] = value
    return data


def member_item(**extra):
    return {
        "content_area": "服务农民群众",
        "content": "带头为村道装上路灯",
        "measures": "联系供电所，发动党员出工出力",
        "deadline": "2025-09-30",
        **extra,
    }


def test_the_member_is_not_asked_for_a_person_responsible(client, world):
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    client.force_login(world.member.user)
    page = client.get(edit_url(pledge)).content.decode()
    assert "责任人" not in page and "responsible_person" not in page
    assert "responsible_person" not in PledgeItemForm(org_pledge=False).fields


def test_an_organization_names_the_person_responsible_for_each_item(client, world):
    pledge = services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.secretary)
    client.force_login(world.secretary)
    page = client.get(edit_url(pledge)).content.decode()
    assert "责任人" in page and 'name="items-0-responsible_person"' in page
    response = client.post(edit_url(pledge), posted(member_item(content_area="落实惠农政策", responsible_person="")))
    assert response.status_code == 200 and "组织承诺的每个事项都要明确责任人" in response.content.decode()
    assert not pledge.items.exists()


def test_the_opinions_are_listed_once_however_many_items(client, world, draft, opinions):
    for n in (1, 3):
        pledge = draft(n=n)
        client.force_login(world.member.user)
        page = client.get(edit_url(pledge)).content.decode()
        assert page.count('<datalist id="opinion-options">') == 1
        listed = page.split('<datalist id="opinion-options">', 1)[1].split("</datalist>", 1)[0]
        assert listed.count("<option") == len(opinions)
        # An opinion no item answers is named once on the page; the one the first item answers also on its chip.
        assert page.count(FARMING) == 1 and page.count(LIGHTS) == 1
        assert page.count(world.opinion.text) == 2
        Pledge.objects.filter(pk=pledge.pk).delete()


def test_the_chosen_opinions_survive_a_validation_error(client, world, opinions):
    farming, lights, _ = opinions
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    client.force_login(world.member.user)
    wrong = member_item(deadline="2030-01-01", opinions=[str(farming.pk), str(lights.pk)])
    response = client.post(edit_url(pledge), posted(wrong))
    page = response.content.decode()
    assert response.status_code == 200 and "完成时限应在" in page
    for opinion in (farming, lights):
        assert f'name="items-0-opinions" value="{opinion.pk}" id="id_items-0-opinions_{opinion.pk}" checked' in page
    assert "（已选 2 条）" in page and '<details class="opinion-picker" data-name="items-0-opinions" open>' in page
    assert not pledge.items.exists()


def test_the_editor_saves_the_opinions_from_chips_and_from_the_search_box(client, world, opinions):
    farming, lights, road = opinions
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    client.force_login(world.member.user)
    # A chip's hidden input (or a ticked box without script), an empty search box, and one picked in it; a repeat.
    first = member_item(opinions=[str(farming.pk), "", str(lights.pk), str(farming.pk)])
    second = member_item(content="每月走访一次困难户", opinions=[""])
    response = client.post(edit_url(pledge), posted(first, second))
    assert response.status_code == 302
    one, two = pledge.items.order_by("position")
    assert set(one.cited_opinions.all()) == {farming, lights}
    assert not two.cited_opinions.exists()
    # Opened again, the first item shows its two opinions as chosen, the second none.
    page = client.get(edit_url(pledge)).content.decode()
    assert "（已选 2 条）" in page and 'name="items-1-opinions" value=' not in page
    assert f'name="items-0-opinions" value="{road.pk}"' not in page


def test_an_opinion_from_elsewhere_is_refused(client, world, opinions):
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    elsewhere = services.opinion_create(
        organization=world.tree.branch_a2,
        by=clerk_of(world.tree.branch_a2),
        channel=Opinion.Channel.BOX,
        source_group=Opinion.SourceGroup.MASSES,
        received_on=datetime.date(2025, 1, 5),
        text="二村的意见",
    )
    client.force_login(world.member.user)
    response = client.post(edit_url(pledge), posted(member_item(opinions=[str(elsewhere.pk)])))
    assert response.status_code == 200 and not pledge.items.exists()
