"""Public addresses never die: QR codes printed on paper boards keep working after code changes and closures."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations import services as org_services
from organizations.models import FormerCode
from tests.factories import OrganizationFactory


def _edit(org, by, **changes):
    return org_services.organization_update(organization=org, by=by, **changes)


def test_an_old_code_redirects_permanently_to_the_current_board(client, world, published):
    published()
    branch = world.tree.branch_a1
    _edit(branch, world.clerk, code="CA1NEW")
    response = client.get("/gs/CA1/?campaign=1")
    assert response.status_code == 301 and response["Location"] == "/gs/CA1NEW/?campaign=1"
    assert client.get("/gs/CA1/qr.png").status_code == 301
    page = client.get("/gs/CA1/", follow=True).content.decode()
    assert "甲镇一村党支部" in page and "王党员" in page
    # The public supervision form posted to the old address lands on the new one too.
    assert client.post("/gs/CA1/supervise/", {"text": "路灯坏了很久没人修"}).status_code in (301, 308)


def test_a_chain_of_code_changes_keeps_every_old_code(client, world):
    branch = world.tree.branch_a1
    _edit(branch, world.clerk, code="CA1B")
    branch.refresh_from_db()
    _edit(branch, world.clerk, code="CA1C")
    assert set(FormerCode.objects.values_list("code", flat=True)) == {"CA1", "CA1B"}
    for old in ("CA1", "CA1B"):
        assert client.get(f"/gs/{old}/")["Location"] == "/gs/CA1C/"
    # Taking an old code back makes it current again.
    branch.refresh_from_db()
    _edit(branch, world.clerk, code="CA1")
    assert client.get("/gs/CA1/").status_code == 200 and client.get("/gs/CA1C/")["Location"] == "/gs/CA1/"


def test_a_former_code_cannot_be_given_to_another_organization(world):
    _edit(world.tree.branch_a1, world.clerk, code="CA1NEW")
    with pytest.raises(ValidationError, match="曾是"):
        _edit(world.tree.branch_a2, world.committee, code="CA1")
    with pytest.raises(ValidationError, match="曾用代码"):
        org_services.organization_create(parent=world.tree.town_a, by=world.committee, code="CA1", name="新支部")


def test_a_deactivated_board_explains_instead_of_a_404(client, world, published):
    published()
    branch = OrganizationFactory(code="CA9", name="甲镇九村党支部", parent=world.tree.town_a)
    org_services.organization_set_active(organization=branch, active=False, by=world.committee)
    response = client.get("/gs/CA9/")
    page = response.content.decode()
    assert response.status_code == 200 and "已于" in page and "停用" in page
    assert 'href="/gs/CA/"' in page  # the nearest active organization above


def test_a_merged_board_points_to_where_its_pledges_are_now(client, world, published):
    published()
    branch = OrganizationFactory(code="CA8", name="甲镇八村党支部", parent=world.tree.town_a)
    org_services.organization_update(organization=branch, by=world.committee, code="CA8X")
    branch.refresh_from_db()
    org_services.organization_set_active(
        organization=branch, active=False, by=world.committee, merged_into=world.tree.branch_a1
    )
    for address in ("/gs/CA8X/", "/gs/CA8/"):
        page = client.get(address, follow=True).content.decode()
        assert "并入" in page and "甲镇一村党支部" in page and 'href="/gs/CA1/"' in page


def test_merging_into_an_own_descendant_or_an_inactive_one_is_refused(world):
    from organizations.errors import DomainError

    with pytest.raises(DomainError, match="它自己或它的下级"):
        org_services.organization_set_active(
            organization=world.tree.branch_a2, active=False, by=world.committee, merged_into=world.tree.branch_a2
        )


def test_deactivating_with_a_merge_through_the_page(client, world):
    branch = OrganizationFactory(code="CA7", name="甲镇七村党支部", parent=world.tree.town_a)
    client.force_login(world.committee)
    client.post(reverse("organizations:set_active", args=["CA7"]), {"active": "0", "merged_into": "ca1"})
    branch.refresh_from_db()
    assert not branch.is_active and branch.merged_into == world.tree.branch_a1
    response = client.post(
        reverse("organizations:set_active", args=["CA2"]), {"active": "0", "merged_into": "NOPE"}, follow=True
    )
    assert "没有找到代码为 NOPE 的党组织" in response.content.decode()


def test_an_unknown_code_is_still_a_404(client, db):
    assert client.get("/gs/NEVER-EXISTED/").status_code == 404
