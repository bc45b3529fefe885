from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organizations"
    verbose_name = "组织与党员"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_save

        from .resources import register_import_jobs

        register_import_jobs()
        pre_save.connect(_strip_bidi_before_save, dispatch_uid="organizations.strip_bidi")
        post_migrate.connect(_install_activity_kinds, sender=self, dispatch_uid="organizations.activity_kinds")


def _install_activity_kinds(sender, using="default", **kwargs):
    """The built-in activity kinds are there after every migrate and every flush (tests flush the database)."""
    from .activity_kinds import install_kinds
    from .models import ActivityKind

    install_kinds(ActivityKind.objects.db_manager(using).model)


def _strip_bidi_before_save(sender, instance, raw=False, **kwargs):
    """Text typed into any of the project's records is stored without bidirectional control characters."""
    if raw:
        return
    from django.db import models

    from .text import has_bidi, strip_bidi

    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str) and has_bidi(value):
                setattr(instance, field.attname, strip_bidi(value))
