from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = "评诺与统计"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the actions of 评诺 and statistics)
