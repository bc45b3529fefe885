from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commitments"
    verbose_name = "承诺管理"

    def ready(self):
        from organizations.resources import register_import_kind
        from organizations.signals import password_reset_done

        from . import permissions
        from .notifications import on_password_reset
        from .resources import OpinionResource

        permissions.register_policies()
        password_reset_done.connect(on_password_reset, dispatch_uid="commitments.password_reset_notification")
        register_import_kind(
            "opinions",
            resource=OpinionResource,
            label="群众意见建议",
            unit="条意见建议",
            action=permissions.PledgeAction.MANAGE_OPINIONS,
        )
