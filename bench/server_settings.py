"""Settings of the measured server when `collectstatic` fails with the production storage (see
`server.Gunicorn`): the same settings with plain static file names instead of the hashed manifest. The load
never fetches static files, so page costs are the same; the bench reports that it fell back."""

from pledge_site.settings import *  # noqa: F403
from pledge_site.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
