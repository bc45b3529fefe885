from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("campaigns/", views.campaign_index, name="campaigns"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("orgs/<str:code>/opinions/", views.opinion_index, name="opinions"),
    path("opinions/<int:pk>/decline/", views.opinion_decline, name="opinion_decline"),
    path("opinions/<int:pk>/unsolve/", views.opinion_unsolve, name="opinion_unsolve"),
    path("orgs/<str:code>/pledge/", views.pledge_create_org, name="pledge_create_org"),
    path("orgs/<str:code>/checks/", views.checks_due, name="checks_due"),
    path("members/<int:pk>/oral-pledge/", views.pledge_create_oral, name="pledge_create_oral"),
    path("pledges/mine/", views.my_pledges, name="my_pledges"),
    path("pledges/new/", views.pledge_create_own, name="pledge_create_own"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/submit/", views.pledge_submit, name="pledge_submit"),
    path("pledges/<int:pk>/review/", views.pledge_review, name="pledge_review"),
    path("pledges/<int:pk>/sign/", views.pledge_sign, name="pledge_sign"),
    path("pledges/<int:pk>/paper-scan/", views.pledge_paper_scan, name="pledge_paper_scan"),
    path("pledges/<int:pk>/publish/", views.pledge_publish, name="pledge_publish"),
    path("pledges/<int:pk>/amend/", views.pledge_amend, name="pledge_amend"),
    path("pledges/<int:pk>/self-check/", views.self_check, name="self_check"),
    path("pledges/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("items/<int:pk>/log/", views.item_log, name="item_log"),
    path("items/<int:pk>/tick/", views.item_tick, name="item_tick"),
    path("items/<int:pk>/tick/decide/", views.item_tick_decide, name="item_tick_decide"),
    path("items/<int:pk>/help/", views.item_help, name="item_help"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("signatures/<int:pk>/image/", views.signature_image, name="signature_image"),
    path("ledger/", views.ledger, name="ledger"),
    path("queues/", views.queues, name="queues"),
    path("notifications/", views.notification_index, name="notifications"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]
