from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the benchmark: on top of the stack, it may import every app and no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "演示数据"
