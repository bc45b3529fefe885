"""Pages of 评诺 (DESIGN §6), one views module per part."""

from django.urls import path

from .views import appraisals, awards, bulletins, contact_points, dashboard, grading, rankings, records, reviews

app_name = "evaluations"

urlpatterns = [
    # 群众评议 and 整改
    path("appraisals/", appraisals.appraisal_index, name="appraisals"),
    path("appraisals/new/", appraisals.appraisal_open, name="appraisal_open"),
    path("appraisals/missing/", appraisals.appraisal_missing, name="appraisal_missing"),
    path("appraisals/<int:pk>/", appraisals.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/codes/", appraisals.appraisal_codes, name="appraisal_codes"),
    path("appraisals/<int:pk>/attendance/", appraisals.appraisal_attendance, name="appraisal_attendance"),
    path("appraisals/<int:pk>/report/", appraisals.appraisal_report, name="appraisal_report"),
    path("appraisals/<int:pk>/slips.pdf", appraisals.appraisal_slips, name="appraisal_slips"),
    path("appraisals/<int:pk>/tally/", appraisals.appraisal_tally, name="appraisal_tally"),
    path("appraisals/<int:pk>/close/", appraisals.appraisal_close, name="appraisal_close"),
    path("rectifications/", appraisals.rectification_index, name="rectifications"),
    path("rectifications/<int:pk>/", appraisals.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", appraisals.rectification_submit, name="rectification_submit"),
    path("rectifications/<int:pk>/decide/", appraisals.rectification_decide, name="rectification_decide"),
    path("rectifications/<int:pk>/done/", appraisals.rectification_done, name="rectification_done"),
    path("pj/", appraisals.ballot_entry, name="ballot"),
    path("pj/<str:code>/", appraisals.ballot_vote, name="ballot_vote"),
    path("pj/<str:code>/thanks/", appraisals.ballot_thanks, name="ballot_thanks"),
    # 领导点评
    path("reviews/", reviews.review_index, name="review_index"),
    path("reviews/mine/", reviews.review_mine, name="review_mine"),
    path("reviews/<int:pk>/publish/", reviews.review_publish, name="review_publish"),
    path("orgs/<str:code>/reviews/", reviews.review_org, name="review_org"),
    path("orgs/<str:code>/reviews/new/", reviews.review_org_new, name="review_org_new"),
    path("orgs/<str:code>/reviews/history/", reviews.review_history, name="review_history"),
    path("members/<int:pk>/reviews/new/", reviews.review_member_new, name="review_member_new"),
    # 联系点
    path("contact-points/", contact_points.contact_point_mine, name="contact_points"),
    path("contact-points/<int:pk>/remove/", contact_points.contact_point_remove, name="contact_point_remove"),
    path("contact-points/<int:pk>/visits/", contact_points.contact_visit_add, name="contact_visit_add"),
    # 日常记实
    path("records/mine/", records.record_mine, name="record_mine"),
    path("records/<int:pk>/comment/", records.record_comment, name="record_comment"),
    path("orgs/<str:code>/records/", records.record_org, name="record_org"),
    # 通报
    path("orgs/<str:code>/bulletins/", bulletins.bulletin_index, name="bulletin_index"),
    path("orgs/<str:code>/bulletins/draft/", bulletins.bulletin_draft, name="bulletin_draft"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/redraft/", bulletins.bulletin_redraft, name="bulletin_redraft"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", bulletins.bulletin_pdf, name="bulletin_pdf"),
    # 组织评选
    path("awards/", awards.award_index, name="award_index"),
    path("awards/<int:pk>/decide/", awards.award_decide, name="award_decide"),
    path("orgs/<str:code>/awards/nominate/", awards.award_nominate, name="award_nominate"),
    # 一诺一评
    path("grading/", grading.grade_index, name="grade_index"),
    path("pledges/<int:pk>/grade/", grading.grade_confirm, name="grade_confirm"),
    # 上评下议
    path("rankings/", rankings.ranking_list, name="ranking_list"),
    path("rankings/compute/", rankings.ranking_compute_view, name="ranking_compute"),
    path("rankings/<int:pk>/", rankings.ranking_detail, name="ranking_detail"),
    path("rankings/<int:pk>/recompute/", rankings.ranking_recompute, name="ranking_recompute"),
    path("rankings/<int:pk>/publish/", rankings.ranking_publish_view, name="ranking_publish"),
    path("rankings/entries/<int:pk>/adjust/", rankings.ranking_adjust_view, name="ranking_adjust"),
    # 统计
    path("stats/", dashboard.dashboard, name="dashboard"),
    path("stats/refresh/", dashboard.dashboard_refresh, name="dashboard_refresh"),
    path("stats/statistics.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("stats/statistics.pdf", dashboard.dashboard_pdf, name="dashboard_pdf"),
]
