import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.commitments import DEMO_TODAY
from demo.organizations import DEMO_PASSWORD
from organizations.models import Exemption, Member, Organization, User
from organizations.permissions import Role, may, roles_on
from organizations.validators import validate_id_number


@pytest.mark.django_db
def test_seed_demo_small_builds_a_usable_county():
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=7)
    assert Organization.objects.filter(level="branch").count() >= 12
    assert 250 <= Member.objects.count() <= 350
    assert Organization.objects.filter(depth=1).count() == 1
    # Every 身份证号 is valid and birth dates agree with them.
    for m in Member.objects.all()[:100]:
        validate_id_number(m.id_number)
        m.full_clean(validate_unique=False)
    assert Member.objects.filter(is_exempt=True).exists()
    assert Member.objects.filter(inflow_organization__isnull=False).exists()
    assert Exemption.objects.filter(status="pending").exists()
    accounts = {u.username: u for u in User.objects.all()}
    for name in ("admin", "xianwei", "zhenwei", "shuji", "ganshi", "dangyuan1", "dangyuan2"):
        assert accounts[name].check_password(DEMO_PASSWORD)
    county = Organization.objects.get(depth=1)
    assert roles_on(accounts["xianwei"], county) == {Role.COMMITTEE}
    shuji_member = Member.objects.get(user=accounts["shuji"])
    assert roles_on(accounts["shuji"], shuji_member.organization) == {Role.SECRETARY}
    assert not may(
        accounts["dangyuan1"],
        "view_members",
        Organization.objects.exclude(pk=shuji_member.organization_id).filter(level="branch").first(),
    )


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_refuses_to_overwrite():
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3)
    first = sorted(Member.objects.values_list("name", "id_number", "organization__code"))
    with pytest.raises(CommandError):
        call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3)
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3, if_empty=True)
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3, reset=True)
    assert sorted(Member.objects.values_list("name", "id_number", "organization__code")) == first


@pytest.mark.django_db
def test_reset_also_clears_what_the_public_and_later_steps_added():
    from disclosure.models import SupervisionReport
    from disclosure.services import supervision_submit

    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3)
    branch = Organization.objects.filter(level="branch").first()
    supervision_submit(organization=branch, text="公开栏上的一条意见，内容足够长", address="127.0.0.1")
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=3, reset=True)
    # Only the demo's own reports are left (the complaints it logs from the phone, 意见箱 and a letter).
    assert not SupervisionReport.objects.filter(text="公开栏上的一条意见，内容足够长").exists()
    assert not SupervisionReport.objects.filter(channel=SupervisionReport.Channel.ONLINE).exists()
    assert Organization.objects.exists()
