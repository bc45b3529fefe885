"""Factories for test data, in one place for the whole suite."""

import datetime
import itertools

import factory
from django.contrib.auth.models import Permission

from organizations.models import Activity, ActivityKind, Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, Role
from organizations.validators import id_number_check_code

PASSWORD = "test-pass-123"
_id_seq = itertools.count(1)


def make_id_number(birth: datetime.date, male: bool = True, area: str = "110101") -> str:
    """A valid, unique 身份证号 for `birth` (GB 11643 check code)."""
    n = next(_id_seq)
    seq = (n % 499) * 2 + (1 if male else 0)
    # Vary the area code too so that more than 500 people can share a birthday.
    area = f"{int(area) + n // 499:06d}"
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_code(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Creates tree nodes through treebeard: pass `parent=` for a child, nothing for a root."""

    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试第{n}党支部")
    level = Organization.Level.BRANCH
    sector = Organization.Sector.RURAL
    supervision_phone = "0730-5212345"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        parent = model_class.objects.get(pk=parent.pk)
        return model_class.objects.add_child(parent, kwargs)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    birth_date = factory.Sequence(lambda n: datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 9000))
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.gender == Member.Gender.MALE))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    political_status = Member.PoliticalStatus.FULL
    join_date = factory.LazyAttribute(lambda o: o.birth_date + datetime.timedelta(days=25 * 365))
    post = "农民"
    organization = factory.SubFactory(OrganizationFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity of the register, written directly (the services are tested on their own). `code` names the
    kind; `participants=[...]` sets the members who took part."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    class Params:
        code = "study"

    organization = factory.SubFactory(OrganizationFactory)
    kind = factory.LazyAttribute(lambda o: ActivityKind.objects.get(code=o.code))
    held_on = datetime.date(2025, 3, 15)
    title = factory.Sequence(lambda n: f"第{n}次集中学习")
    participants_count = 10
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


def grant(user, role: Role, org) -> OrganizationUserObjectPermission:
    permission = Permission.objects.get(codename=ROLE_CODENAMES[role], content_type__app_label="organizations")
    return OrganizationUserObjectPermission.objects.create(user=user, permission=permission, content_object=org)
