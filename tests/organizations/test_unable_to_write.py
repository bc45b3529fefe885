"""篇四: 对年老体弱、文化程度低的党员……可以只进行口头承诺 — the branch marks such a member on his record."""

from django.urls import reverse

from organizations import services
from organizations.forms import MemberForm
from organizations.permissions import Role
from tests.factories import MemberFactory


def test_the_branch_marks_a_member_unable_to_write(tree, user_with_role, client):
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1)
    assert "unable_to_write" in MemberForm.Meta.fields
    services.member_update(member=member, by=secretary, unable_to_write=True)
    member.refresh_from_db()
    assert member.unable_to_write
    assert member.history.first().unable_to_write  # the change is on the record's history
    client.force_login(secretary)
    page = client.get(reverse("organizations:member_edit", args=[member.pk])).content.decode()
    assert 'name="unable_to_write"' in page and "不能书写" in page
