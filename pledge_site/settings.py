"""Settings for 公开承诺管理系统.

Everything that differs between a laptop and production comes from the environment. With nothing set, the
site runs on the embedded default: a SQLite file in the project folder, Celery tasks executed eagerly in the
web process, uploaded files under ``media/``, and DEBUG off, so SECRET_KEY and SIGNATURE_KEY must be given.
Development turns DEBUG on explicitly (`make run` does, by hand `DEBUG=1 python manage.py …`), which brings
throwaway keys; the test run has its own module, tests/settings.py.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from kombu import Queue

from pledge_site.environment import env_bool

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless the environment turns it on: a server started without DEBUG set is a production server.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-local-use"
# The key of the seals on signatures (commitments.signing). Kept in the environment, never in the database, so
# that whoever can write the database cannot forge a signature's seal; the same on every machine; changing it
# makes existing seals uncheckable, so keep it with the backups of the configuration.
SIGNATURE_KEY = os.environ.get("SIGNATURE_KEY", "")
if not SIGNATURE_KEY:
    if not DEBUG:
        raise RuntimeError("SIGNATURE_KEY must be set when DEBUG is off.")
    SIGNATURE_KEY = "insecure-development-signature-key"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "treebeard",
    "simple_history",
    "import_export",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "organizations",
    "commitments",
    "evaluations",
    "disclosure",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "organizations.middleware.RejectNulMiddleware",
    "organizations.middleware.StripBidiControlsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "organizations.middleware.ForcePasswordChangeMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pledge_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "pledge_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web, eager tasks, tests) share the file; wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login name before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "organizations.validators.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after five wrong passwords for one login name from one address, that pair is
# locked for 30 minutes; a right password clears the count. On unless AXES_ENABLED=0. The test run turns it off
# (tests/settings.py) and the tests about throttling turn it back on.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# The address behind nginx comes from the header named by CLIENT_IP_HEADER (see organizations/requests.py).
AXES_CLIENT_IP_CALLABLE = "organizations.requests.client_ip"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系系统管理员解锁。"
# The admin pages of django-axes have no Chinese translation; a lock ends by itself after AXES_COOLOFF_MINUTES,
# or at once with `python manage.py axes_reset_username 登录名` (see docs/deploy.md).
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from the app and project folders; production runs collectstatic.
STATIC_ROOT = (
    Path(os.environ["STATIC_ROOT"]) if "STATIC_ROOT" in os.environ else (None if DEBUG else BASE_DIR / "staticfiles")
)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MESSAGE_TAGS = {40: "danger"}

# django-guardian: no anonymous user row; permissions are answered by organizations.permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# django-simple-history is the one audit (organizations.audit): a change reason is a transition's label and the
# comment that came with it, of any length.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# django-import-export: every import runs in one transaction, all rows or none.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Celery. Without a broker every task runs eagerly inside the calling process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads a task's return value: a print job keeps its own state and result file in its Job row
# (disclosure/jobs.py). So no result backend and results are not stored, unless the environment names a backend
# (CI does, with Redis, for a test that waits for a task's result through a real worker).
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two queues: "jobs" for the long PDF/zip and ledger jobs, "celery" for everything quick (notifications, reminders,
# beat tasks), so a county-wide print run never delays them. A worker started without -Q serves both; production
# runs `celery -A pledge_site worker -Q celery` and `celery -A pledge_site worker -Q jobs --concurrency 2`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("jobs"))
CELERY_TASK_ROUTES = {"disclosure.tasks.run_job": {"queue": "jobs"}}
CELERY_BEAT_SCHEDULE = {
    "purge-stale-import-uploads": {
        "task": "organizations.tasks.purge_stale_import_uploads",
        "schedule": 6 * 60 * 60,
    },
    # Every day shortly after midnight: items past their deadline become overdue and both sides are told.
    "mark-overdue-items": {
        "task": "commitments.tasks.mark_overdue_items",
        "schedule": crontab(hour=0, minute=30),
    },
    "purge-old-job-results": {"task": "disclosure.tasks.purge_old_job_results", "schedule": crontab(hour=3, minute=0)},
    "resubmit-waiting-jobs": {"task": "disclosure.tasks.resubmit_waiting_jobs", "schedule": 5 * 60},
    "flag-overdue-supervision": {
        "task": "disclosure.tasks.flag_overdue_supervision",
        "schedule": crontab(hour=8, minute=0),
    },
    "notify-overdue-rectifications": {
        "task": "evaluations.tasks.notify_overdue_rectifications",
        "schedule": crontab(hour=8, minute=30),
    },
    "remind-monthly-records": {
        "task": "evaluations.tasks.remind_monthly_records",
        "schedule": crontab(day_of_month="25", hour=9, minute=0),
    },
    "remind-quarterly-reviews": {
        "task": "evaluations.tasks.remind_quarterly_reviews",
        "schedule": crontab(month_of_year="3,6,9,12", day_of_week="1", hour=9, minute=0),
    },
    # Every night: statistics snapshots of the periods just ended and the rankings due (both idempotent).
    "build-due-tallies": {"task": "evaluations.tasks.build_due_tallies", "schedule": crontab(hour=1, minute=30)},
    "compute-due-rankings": {"task": "evaluations.tasks.compute_due_rankings", "schedule": crontab(hour=1, minute=45)},
    # Every day: 3 days and 1 day before a campaign's signing deadline, remind those not yet signed (once each).
    "remind-sign-deadline": {
        "task": "commitments.tasks.remind_sign_deadline",
        "schedule": crontab(hour=9, minute=15),
    },
    # Every day just after midnight: campaigns past their end date are closed (pages already read them as ended).
    "close-ended-campaigns": {
        "task": "commitments.tasks.close_ended_campaigns",
        "schedule": crontab(hour=0, minute=10),
    },
    # On the 20th of each month: remind those who have not done this month's self-check.
    "remind-self-checks": {
        "task": "commitments.tasks.remind_self_checks",
        "schedule": crontab(day_of_month="20", hour=9, minute=0),
    },
}

# The address the public reaches this site at; printed as QR codes on paper notice boards and PDFs.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Uploaded import files wait this long for the user's confirmation before a beat job removes them.
IMPORT_UPLOAD_MAX_AGE_SECONDS = 24 * 60 * 60

# Rate limits of the public forms live in the cache: Redis when REDIS_URL is set, else this process's memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_AGE = 8 * 60 * 60
# Pages are never framed by other sites, and links to other sites carry no path of ours.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): only this site's own files run, the vendored libraries included. No inline
# script, no eval (htmx is configured without it in base.html), no <style> element or style attribute; images may
# be data: URLs (the signature pad, Bootstrap's icons). Page behaviour lives in static/js, sizes in static/css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    # Production sits behind nginx, which terminates HTTPS and says so in X-Forwarded-Proto (docs/deploy.md).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 30)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
