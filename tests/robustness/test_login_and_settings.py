"""Login throttling (django-axes), the password rules in Chinese, and the production settings.

django-axes is off under pytest (see pledge_site/settings.py); the tests about lockout turn it on.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


def _login(client, username, password, address="10.1.1.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_axes_is_off_in_tests_unless_a_test_turns_it_on(client, db, settings):
    from django.conf import settings as conf

    assert conf.AXES_ENABLED is False
    user = UserFactory(username="wang")
    for _ in range(8):
        assert _login(client, "wang", "wrong").status_code == 200
    assert _login(client, "wang", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists() and user.pk


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_name_on_that_address_for_30_minutes(client, axes_on):
    UserFactory(username="shuji")
    for _ in range(4):
        response = _login(client, "shuji", "wrong")
        assert response.status_code == 200 and "登录名或密码不正确" in response.content.decode()
    locked = _login(client, "shuji", "wrong")
    page = locked.content.decode()
    assert locked.status_code == 429
    assert "登录已暂时锁定" in page and "30 分钟后再试" in page and "shuji" in page
    assert "公开承诺管理系统" in page  # the lockout page extends base.html
    # Even the right password is refused while locked.
    assert _login(client, "shuji", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another name from the same address, and the same name from another address, are not locked.
    UserFactory(username="ganshi")
    assert _login(client, "ganshi", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "shuji", PASSWORD, address="10.2.2.2").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off_time(client, axes_on):
    UserFactory(username="shuji")
    for _ in range(5):
        _login(client, "shuji", "wrong")
    assert _login(client, "shuji", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert _login(client, "shuji", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_right_password_clears_the_count(client, axes_on):
    UserFactory(username="shuji")
    for _ in range(4):
        _login(client, "shuji", "wrong")
    assert _login(client, "shuji", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "shuji", "wrong").status_code == 200
    assert _login(client, "shuji", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_address_comes_from_the_header(client, axes_on, monkeypatch):
    monkeypatch.setenv("CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
    UserFactory(username="shuji")
    for _ in range(5):
        _login(client, "shuji", "wrong", address="127.0.0.1", HTTP_X_REAL_IP="10.9.9.9")
    assert _login(client, "shuji", PASSWORD, address="127.0.0.1", HTTP_X_REAL_IP="10.9.9.9").status_code == 429
    # Another person behind the same proxy is not locked out.
    assert _login(client, "shuji", PASSWORD, address="127.0.0.1", HTTP_X_REAL_IP="10.8.8.8").status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client, axes_on):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429 and "登录已暂时锁定" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, expected",
    [
        pytest.param(
            "abc12",
            "太短",
        ),
        ("12345678901", "只包含数字"),
        ("password123", "太常见"),
        ("wangxiaoming1", "太相似"),
    ],
)
def test_password_rules_answer_in_chinese(password, expected):
    user = UserFactory.build(username="wangxiaoming", full_name="王小明")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            validate_password(password, user)
        text = "".join(caught.value.messages)
    assert expected in text, text
    assert not any(word in text for word in ("password", "too short", "common")), text


@pytest.mark.django_db
def test_the_password_change_page_shows_the_rules_in_chinese(client):
    user = UserFactory(username="dangyuan9", must_change_password=True)
    client.force_login(user)
    url = reverse("password_change")
    data = {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    page = client.post(url, data).content.decode()
    assert "太常见" in page and "只包含数字" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.must_change_password


# --- production settings --------------------------------------------------------------------------------


def _manage(*args, env_extra=None, drop=()):
    # The test suite allows the ORM in Playwright's event loop; a deployment never sets that.
    drop = (*drop, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {"SECRET_KEY": "x" * 20 + "-throwaway-key-for-the-deploy-check-0123456789", "DEBUG": "0"}
PRODUCTION |= {"ALLOWED_HOSTS": "pledge.example.cn", "SIGNATURE_KEY": "y" * 40}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_values():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 2592000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER, "
        "s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    )
    result = _manage("shell", "-v", "0", "-c", code, env_extra=PRODUCTION, drop=("AXES_ENABLED",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "False True True True True True ('HTTP_X_FORWARDED_PROTO', 'https') DENY same-origin True 5 0:30:00"
    )


def test_without_a_secret_key_production_refuses_to_start():
    env = dict(PRODUCTION)
    del env["SECRET_KEY"]
    result = _manage("check", env_extra=env, drop=("SECRET_KEY",))
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_without_a_signature_key_production_refuses_to_start():
    env = dict(PRODUCTION)
    del env["SIGNATURE_KEY"]
    result = _manage("check", env_extra=env, drop=("SIGNATURE_KEY",))
    assert result.returncode != 0 and "SIGNATURE_KEY must be set" in result.stderr


def test_the_embedded_default_is_unchanged():
    drop = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "AXES_ENABLED", "STATIC_ROOT")
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.AXES_ENABLED, "
        "getattr(s, 'SECURE_SSL_REDIRECT', False), s.SESSION_COOKIE_SECURE)"
    )
    result = _manage("shell", "-v", "0", "-c", code, drop=drop)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "True django.db.backends.sqlite3 True True False False"


def test_print_jobs_have_their_own_queue():
    from kombu import Queue

    from pledge_site.celery import app

    router = app.amqp.router
    assert router.route({}, "disclosure.tasks.run_job")["queue"].name == "jobs"
    for task in ("commitments.tasks.mark_overdue_items", "disclosure.tasks.resubmit_waiting_jobs"):
        assert router.route({}, task)["queue"].name == "celery"
    # A worker started without -Q (make worker, the CI worker) serves both queues.
    assert {q.name for q in app.conf.task_queues} == {"celery", "jobs"}
    assert all(isinstance(q, Queue) for q in app.conf.task_queues)
