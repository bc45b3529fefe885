"""Fixtures of the robustness suite: the commitments suite's world and pledge builders, reused as they are."""

from tests.commitments.conftest import (  # noqa: F401
    draft,
    oral_member,
    oral_pledge_in,
    org_pledge_in,
    people,
    pledge_in,
    published,
    reviewer_for,
    world,
)
