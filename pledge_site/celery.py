"""The Celery application. Tasks are thin wrappers over services; see each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge_site.settings")

app = Celery("pledge_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
