import datetime
import os
from dataclasses import dataclass

import pytest
import time_machine

from organizations.models import Organization
from organizations.permissions import Role

from .factories import MemberFactory, OrganizationFactory, UserFactory, grant

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# PLEDGE_TEST_NOW=2026-12-31T23:30:00Z runs the suite as if it were that instant (the clock keeps ticking from
# there). CI uses it to run every test at an hour when the date in Shanghai is already the next day, month,
# quarter and year than in UTC, so a test or a piece of code that takes the UTC date for the local one fails.
SHIFTED_NOW = os.environ.get("PLEDGE_TEST_NOW", "").strip()


def pytest_configure(config):
    if not SHIFTED_NOW:
        return
    try:
        moment = datetime.datetime.fromisoformat(SHIFTED_NOW)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(
            f"PLEDGE_TEST_NOW={SHIFTED_NOW!r} 应是带时区的 ISO 8601 时刻，例如 2026-12-31T23:30:00Z。"
        )


def pytest_report_header(config):
    if SHIFTED_NOW:
        return f"时钟已拨到 PLEDGE_TEST_NOW={SHIFTED_NOW}（每个测试都从这一刻开始）。"
    return None


@pytest.fixture(scope="session", autouse=True)
def _shifted_clock_for_the_session():
    """Module and session fixtures (a seeded demo site, say) are built at the shifted time too."""
    if not SHIFTED_NOW:
        yield
        return
    # The string, not a parsed datetime: time-machine would also set the process's TZ for a UTC datetime,
    # while Django has set it to the site's time zone.
    with time_machine.travel(SHIFTED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _shifted_clock(request, _shifted_clock_for_the_session):
    """Each test starts at the shifted instant; a test that sets the time itself (time_machine) keeps its own."""
    if not SHIFTED_NOW or "time_machine" in request.fixturenames:
        yield
        return
    with time_machine.travel(SHIFTED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    # Each test gets its own media folder, except tests that talk to a real Celery worker (CI): those share
    # the worker's MEDIA_ROOT, given to both through the environment.
    if not ("MEDIA_ROOT" in os.environ and request.node.get_closest_marker("shared_media")):
        settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing with PBKDF2 dominates test time; the hasher is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Tree:
    """county ─┬─ town_a ─┬─ branch_a1
            │          └─ branch_a2
            └─ town_b ─── branch_b1
    other (an unrelated root)"""

    county: Organization
    town_a: Organization
    branch_a1: Organization
    branch_a2: Organization
    town_b: Organization
    branch_b1: Organization
    other: Organization

    def refresh(self):
        for name in self.__dataclass_fields__:
            getattr(self, name).refresh_from_db()


@pytest.fixture
def tree(db) -> Tree:
    county = OrganizationFactory(code="C", name="中共测试县委", level=Organization.Level.COMMITTEE)
    town_a = OrganizationFactory(code="CA", name="甲镇党委", level=Organization.Level.COMMITTEE, parent=county)
    town_b = OrganizationFactory(code="CB", name="乙镇党委", level=Organization.Level.COMMITTEE, parent=county)
    branch_a1 = OrganizationFactory(code="CA1", name="甲镇一村党支部", parent=town_a)
    branch_a2 = OrganizationFactory(code="CA2", name="甲镇二村党支部", parent=town_a)
    branch_b1 = OrganizationFactory(code="CB1", name="乙镇一村党支部", parent=town_b)
    other = OrganizationFactory(code="X", name="中共邻县县委", level=Organization.Level.COMMITTEE)
    t = Tree(county, town_a, branch_a1, branch_a2, town_b, branch_b1, other)
    t.refresh()
    return t


@pytest.fixture
def user_with_role(db):
    def make(role: Role, org: Organization, **kwargs):
        user = UserFactory(**kwargs)
        grant(user, role, org)
        return user

    return make


@pytest.fixture
def member_user(db):
    """A member of `org` with a linked login account."""

    def make(org: Organization, **kwargs):
        user = UserFactory()
        return MemberFactory(organization=org, user=user, **kwargs)

    return make
