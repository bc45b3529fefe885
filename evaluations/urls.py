"""Collects the `urlpatterns` of each page module of the evaluations app (modules not written yet are skipped)."""

from importlib import import_module

app_name = "evaluations"

urlpatterns = []
for _name in ("appraisals", "reviews", "records", "bulletins", "awards", "grading", "rankings", "dashboard"):
    try:
        _module = import_module(f"evaluations.views.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"evaluations.views.{_name}":
            raise
        continue
    urlpatterns += getattr(_module, "urlpatterns", [])
