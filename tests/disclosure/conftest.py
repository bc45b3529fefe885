# Fixtures of the commitments suite, reused to move pledges through their lifecycle with the services.
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
