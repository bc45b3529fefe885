# The people and the open campaign of the commitments suite, for rendering every form.
from tests.commitments.conftest import people, world  # noqa: F401
