from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = "统计报表"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import permissions  # noqa: F401  (registers the actions of statistics forms)

        post_migrate.connect(_install_built_in, sender=self, dispatch_uid="reporting.built_in_templates")


def _install_built_in(sender, **kwargs):
    """The built-in forms are there after every migrate and every flush (tests flush the database)."""
    from .builtin import install_built_in_templates

    install_built_in_templates()
