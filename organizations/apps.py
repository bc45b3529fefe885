from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organizations"
    verbose_name = "组织与党员"

    def ready(self):
        from .resources import register_import_jobs

        register_import_jobs()
