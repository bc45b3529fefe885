"""Pages of statistics forms (统计报表)."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("orgs/<str:code>/reports/", views.report_index, name="index"),
    path("orgs/<str:code>/reports/issue/", views.report_issue, name="issue_new"),
    path("orgs/<str:code>/reports/templates/new/", views.template_edit, name="template_new"),
    # A form's page works on ?org= (the user's own organization without it).
    path("reports/templates/<int:pk>/", views.template_detail, name="template"),
    path("reports/templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("reports/issues/<int:pk>/", views.issue_detail, name="issue"),
    path("reports/issues/<int:pk>/report.pdf", views.issue_export, {"fmt": "pdf"}, name="issue_pdf"),
    path("reports/issues/<int:pk>/report.xlsx", views.issue_export, {"fmt": "xlsx"}, name="issue_xlsx"),
    path("reports/<int:pk>/", views.submission_detail, name="submission"),
    path("reports/<int:pk>/check/", views.submission_check, name="submission_check"),
    path("reports/<int:pk>/report.pdf", views.submission_export, {"fmt": "pdf"}, name="submission_pdf"),
    path("reports/<int:pk>/report.xlsx", views.submission_export, {"fmt": "xlsx"}, name="submission_xlsx"),
]
