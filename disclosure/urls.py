from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("gs/", views.board_search, name="search"),
    path("gs/track/", views.track, name="track"),
    path("gs/<str:code>/", views.board, name="board"),
    path("gs/<str:code>/qr.png", views.board_qr, name="board_qr"),
    path("gs/<str:code>/supervise/", views.supervise, name="supervise"),
    path("orgs/<str:code>/supervision/", views.supervision_inbox, name="inbox"),
    path("orgs/<str:code>/supervision/log/", views.supervision_log, name="log"),
    path("orgs/<str:code>/board-setting/", views.board_setting, name="board_setting"),
    path("print/", views.print_center, name="print"),
    path("print/register<int:form>.pdf", views.register_pdf, name="register_pdf"),
    path("print/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("print/window-cards.pdf", views.window_cards_pdf, name="window_cards"),
    path("pledges/<int:pk>/pdf/", views.pledge_pdf, name="pledge_pdf"),
    path("jobs/start/", views.job_start, name="job_start"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
