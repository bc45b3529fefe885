import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import MemberFactory, UserFactory

OWN_APPS = {"organizations", "commitments", "evaluations", "disclosure"}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def test_every_model_of_ours_is_in_the_admin_with_chinese_names():
    for model in apps.get_models():
        if model._meta.app_label not in OWN_APPS or model.__name__.startswith("Historical"):
            continue
        assert admin.site.is_registered(model), model
        assert _has_cjk(model._meta.verbose_name) and _has_cjk(model._meta.verbose_name_plural), model


@pytest.mark.django_db
def test_admin_pages_open(client, tree):
    MemberFactory(organization=tree.branch_a1)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model in ("organization", "member", "exemption", "organizationuserobjectpermission", "user"):
        response = client.get(reverse(f"admin:organizations_{model}_changelist"))
        assert response.status_code == 200, model
