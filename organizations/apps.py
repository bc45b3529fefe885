from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organizations"
    verbose_name = "组织与党员"

    def ready(self):
        from django.db.models.signals import pre_save

        from .resources import register_import_jobs

        register_import_jobs()
        pre_save.connect(_strip_bidi_before_save, dispatch_uid="organizations.strip_bidi")


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
