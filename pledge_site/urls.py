from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from organizations import urls as organization_urls
from organizations import views as org_views

from . import views

admin.site.site_header = "公开承诺管理系统 · 后台管理"
admin.site.site_title = "公开承诺管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.FirstPasswordChangeView.as_view(), name="password_change"),
    path(
        "",
        include(
            (
                [
                    path("orgs/<str:code>/", views.organization_detail, name="detail"),
                    path("members/<int:pk>/", views.member_detail, name="member_detail"),
                    *organization_urls.urlpatterns,
                ],
                organization_urls.app_name,
            )
        ),
    ),
    path("", include("commitments.urls")),
    path("", include("disclosure.urls")),
    path("", include("evaluations.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from MEDIA_URL: evidence and signatures are personal records, downloaded
# only through views that ask the permission module.
