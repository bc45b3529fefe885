from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commitments"
    verbose_name = "承诺管理"

    def ready(self):
        from organizations.signals import password_reset_done

        from .notifications import on_password_reset

        password_reset_done.connect(on_password_reset, dispatch_uid="commitments.password_reset_notification")
