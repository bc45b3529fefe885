from django.urls import path

from . import views

app_name = "organizations"

# An organization's page (organizations:detail) and a member's page (organizations:member_detail) show pledges as
# well, so they are served by pledge_site, which adds them to this namespace.

urlpatterns = [
    path("orgs/", views.organization_tree, name="tree"),
    path("orgs/<str:code>/children/", views.organization_children, name="children"),
    path("orgs/<str:code>/new/", views.organization_create, name="create"),
    path("orgs/<str:code>/edit/", views.organization_edit, name="edit"),
    path("orgs/<str:code>/move/", views.organization_move, name="move"),
    path("orgs/<str:code>/active/", views.organization_set_active, name="set_active"),
    path("orgs/<str:code>/delete/", views.organization_delete, name="delete"),
    path("orgs/<str:code>/roles/", views.organization_roles, name="roles"),
    path("orgs/<str:code>/roster.xlsx", views.roster_export, name="roster_export"),
    path("orgs/<str:code>/import/<str:kind>/", views.import_upload, name="import"),
    path("orgs/<str:code>/import/<str:kind>/confirm/", views.import_confirm, name="import_confirm"),
    path("import-templates/<str:kind>.xlsx", views.import_template_download, name="import_template"),
    path("orgs/<str:code>/activities/", views.activity_index, name="activities"),
    path("orgs/<str:code>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/attachments/", views.activity_attachments_add, name="activity_attachments_add"),
    path("activity-attachments/<int:pk>/", views.activity_attachment_download, name="activity_attachment"),
    path("activity-attachments/<int:pk>/delete/", views.activity_attachment_delete, name="activity_attachment_delete"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("members/", views.member_index, name="members"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/activities/", views.member_activities_index, name="member_activities"),
    path("members/<int:pk>/account/", views.member_account, name="member_account"),
    path("members/<int:pk>/exemption/", views.exemption_propose, name="exemption_propose"),
    path("exemptions/", views.exemption_index, name="exemptions"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption_decide"),
]
