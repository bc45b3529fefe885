from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disclosure"
    verbose_name = "公开与打印"

    def ready(self):
        # This app keeps the background jobs; the kinds of the lower apps run here (organizations.background).
        from organizations import background

        from . import permissions  # noqa: F401  (registers the actions on print jobs)
        from .jobs import job_start_registered

        background.register_store(job_start_registered)
