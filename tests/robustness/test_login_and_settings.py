"""Login throttling (django-axes), the password rules in Chinese, and the settings: production, the embedded
default (DEBUG off) and development (DEBUG=1).

django-axes is off in the test run (tests/settings.py); the tests about lockout turn it on.
"""

import datetime
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

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


# Every variable pledge_site/settings.py reads, found in its text.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r'(?:environ\.get\(|environ\[|env_bool\()"([A-Z_]+)"',
        (ROOT / "pledge_site" / "settings.py").read_text(encoding="utf-8"),
    )
)


def _manage(*args, env_extra=None, drop=(), command=("manage.py",)):
    # The site's own settings (manage.py's default), not the test run's tests.settings; the test suite allows the
    # ORM in Playwright's event loop, which a deployment never does.
    drop = (*drop, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, *command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(*names, env_extra=None, drop=SETTINGS_VARIABLES, module="pledge_site.settings"):
    """The repr() of the list of settings `names` when `module` is loaded in a fresh process with only `env_extra`
    of the variables the settings read (by default); or the process's error output."""
    code = (
        "import os, django; django.setup(); from django.conf import settings as s; "
        f"print(repr([getattr(s, n, '<unset>') for n in {list(names)!r}]))"
    )
    env = {"DJANGO_SETTINGS_MODULE": module, **(env_extra or {})}
    result = _manage(env_extra=env, drop=drop, command=("-c", code))
    if result.returncode != 0:
        return result.stderr
    return result.stdout.strip().split("\n")[-1]


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


def test_the_embedded_default_has_debug_off_and_needs_the_keys():
    result = _manage("check", drop=SETTINGS_VARIABLES)
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr
    keys = {"SECRET_KEY": "k" * 50, "SIGNATURE_KEY": "s" * 50}
    names = ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "AXES_ENABLED", "CELERY_TASK_ALWAYS_EAGER")
    assert _settings(*names, env_extra=keys) == "[False, True, True, True, True]"
    names = ("STATIC_ROOT", "STORAGES", "DATABASES")
    values = _settings(*names, env_extra=keys)
    assert values.startswith(f"[PosixPath('{ROOT / 'staticfiles'}'), ") and "CompressedManifest" in values, values
    assert "django.db.backends.sqlite3" in values and "db.sqlite3" in values, values
    assert _settings("DEBUG", env_extra={**keys, "DEBUG": "0"}) == "[False]"


def test_development_is_debug_1_with_throwaway_keys():
    names = ("DEBUG", "SECRET_KEY", "SIGNATURE_KEY", "AXES_ENABLED", "SESSION_COOKIE_SECURE", "STATIC_ROOT")
    names += ("CELERY_TASK_ALWAYS_EAGER", "SECURE_SSL_REDIRECT")
    expected = (
        "[True, 'insecure-development-key-only-for-local-use', 'insecure-development-signature-key', "
        "True, False, None, True, False]"
    )
    assert _settings(*names, env_extra={"DEBUG": "1"}) == expected


@pytest.mark.parametrize("value", ["1", "true", "Yes", " on "])
def test_a_switch_is_on_for_1_true_yes_on(value, monkeypatch):
    from pledge_site.environment import env_bool

    monkeypatch.setenv("PLEDGE_TEST_SWITCH", value)
    assert env_bool("PLEDGE_TEST_SWITCH", False) is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", "2"])
def test_a_switch_is_off_for_anything_else(value, monkeypatch):
    from pledge_site.environment import env_bool

    monkeypatch.setenv("PLEDGE_TEST_SWITCH", value)
    assert env_bool("PLEDGE_TEST_SWITCH", True) is False
    monkeypatch.delenv("PLEDGE_TEST_SWITCH")
    assert env_bool("PLEDGE_TEST_SWITCH", True) is True and env_bool("PLEDGE_TEST_SWITCH", False) is False


def test_throttling_does_not_depend_on_whether_pytest_is_imported():
    code = (
        "import pytest, django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_ENABLED, s.AXES_CLIENT_IP_CALLABLE)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "pledge_site.settings", "DEBUG": "1"}
    result = _manage(env_extra=env, drop=SETTINGS_VARIABLES, command=("-c", code))
    assert result.stdout.split("\n")[-2] == "True organizations.requests.client_ip", result.stderr
    assert _settings("AXES_ENABLED", env_extra={"DEBUG": "1", "AXES_ENABLED": "0"}) == "[False]"


def test_the_test_run_has_its_own_settings_with_throttling_off():
    from django.conf import settings

    assert os.environ["DJANGO_SETTINGS_MODULE"] == "tests.settings"
    assert settings.AXES_ENABLED is False
    names = ("DEBUG", "AXES_ENABLED", "SECRET_KEY")
    module = "tests.settings"
    expected = "[True, False, 'insecure-development-key-only-for-local-use']"
    assert _settings(*names, module=module) == expected
    assert _settings("AXES_ENABLED", env_extra={"AXES_ENABLED": "1"}, module=module) == "[True]"


def test_settings_define_no_functions():
    import pledge_site.settings as module

    defined = [name for name, value in vars(module).items() if inspect.isfunction(value) or inspect.isclass(value)]
    assert [name for name in defined if getattr(module, name).__module__ == module.__name__] == []


def test_the_client_address_comes_from_the_configured_header(settings, monkeypatch):
    client_ip = import_string(settings.AXES_CLIENT_IP_CALLABLE)
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.9.9.9")
    monkeypatch.delenv("CLIENT_IP_HEADER", raising=False)
    assert client_ip(request) == "127.0.0.1"
    monkeypatch.setenv("CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
    assert client_ip(request) == "10.9.9.9"
    # A request without the header (a health check straight to gunicorn) falls back to the connection.
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.2")) == "127.0.0.2"


def test_make_run_turns_debug_on_explicitly():
    result = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "manage.py" in line]
    for command in ("migrate", "seed_demo", "runserver"):
        line = next(line for line in lines if f"manage.py {command}" in line)
        assert re.search(r"\bDEBUG=(1|\$\{DEBUG:-1\})\s", line), line
    assert re.search(r"\bDEBUG=1\s", next(line for line in lines if "runserver" in line))


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
