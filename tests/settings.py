"""Settings of the test run (pyproject.toml: DJANGO_SETTINGS_MODULE = "tests.settings").

The site's settings with the development defaults: DEBUG on while the settings load, so that the throwaway keys,
plain static file names and plain-HTTP cookies apply (pytest-django then runs every test with DEBUG False, as
always), unless the environment says otherwise. Login throttling is off: the suite logs in thousands of times
through the test client, which authenticates without a request (something django-axes refuses); the tests about
throttling turn it on with the `settings` fixture, and AXES_ENABLED in the environment decides otherwise.
A Celery worker that serves the test run (.ci/run) loads this module too.
"""

import os

os.environ.setdefault("DEBUG", "1")

from pledge_site.environment import env_bool  # noqa: E402
from pledge_site.settings import *  # noqa: E402, F403

AXES_ENABLED = env_bool("AXES_ENABLED", False)
