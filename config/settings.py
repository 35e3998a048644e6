"""Settings for Insured Portal — Billing.

Every value comes from the environment (documented in ``.env.example``) with a safe
default for the embedded mode: SQLite, local-memory cache, a worker beside the web
server, email written where the person running the demo can read it.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the embedded mode's database and mail; never committed
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/ref/settings/#secret-key
DEBUG = env.bool("DEBUG", default=False)
# The embedded default key is only for the demo; production sets SECRET_KEY.
SECRET_KEY = env.str(
    "SECRET_KEY", default="insecure-embedded-demo-key-set-SECRET_KEY-in-production-3f9a1c"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "phonenumber_field",
    "django_tasks_db",
    "accounts",
    "billing",
    "support",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.IdleSessionMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/ref/databases/
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web server and a worker write at once: WAL, a busy timeout and immediate
    # transactions keep "database is locked" away.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users, sign-in, sessions --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "billing:summary"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Idle timeout: a session ends SESSION_IDLE_TIMEOUT seconds after the last request;
# it is refreshed at most once a minute so pages do not all write the session.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)

# django-axes: lock the username and address together, so one corporate address (or
# localhost in tests) does not lock out everyone behind it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Background work ------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/topics/tasks/
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}

# Jobs `manage.py run_periodic` enqueues: (task path, every N seconds). The jobs are
# idempotent; the worker runs them.
PERIODIC_TASKS: list[tuple[str, int]] = [
    # Idempotent, so hourly is safe: a day's reminders go out in its first hour.
    ("billing.tasks.send_billing_reminders", 3600),
    # Balances follow the calendar: an invoice due yesterday is past due today.
    ("billing.tasks.refresh_account_balances", 3600),
    # Re-enqueue support email whose worker died mid-send or whose retry task was lost.
    ("support.tasks.sweep_outgoing_messages", 60),
]

# --- Email ----------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes to that SMTP server. Without it (the embedded demo),
# mail is written to var/mail/ where the person running the demo can read it.
# Django 6.1's MAILERS replaces the deprecated EMAIL_BACKEND/EMAIL_HOST/... settings;
# the environment variables keep their familiar EMAIL_* names.
# https://docs.djangoproject.com/en/6.1/howto/mailers-migration/
_EMAIL_HOST = env.str("EMAIL_HOST", default="")
_EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
if _EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env.int("EMAIL_PORT", default=25),
                "username": env.str("EMAIL_HOST_USER", default="") or None,
                "password": env.str("EMAIL_HOST_PASSWORD", default="") or None,
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
                "timeout": _EMAIL_TIMEOUT,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Insured Portal <no-reply@portal.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DEFAULT_BILLING_INBOX = env.str("DEFAULT_BILLING_INBOX", default="billing@insurer.example")

# Billing Support email delivery (support/services.py): exponential backoff from BASE
# seconds doubling up to CAP, MAX_ATTEMPTS in all; a message "sending" for longer than
# LEASE seconds belongs to a dead worker and is sent again (keep LEASE > EMAIL_TIMEOUT).
SUPPORT_EMAIL_RETRY_BASE_SECONDS = env.float("SUPPORT_EMAIL_RETRY_BASE_SECONDS", default=30.0)
SUPPORT_EMAIL_RETRY_CAP_SECONDS = env.float("SUPPORT_EMAIL_RETRY_CAP_SECONDS", default=3600.0)
SUPPORT_EMAIL_MAX_ATTEMPTS = env.int("SUPPORT_EMAIL_MAX_ATTEMPTS", default=8)
SUPPORT_EMAIL_LEASE_SECONDS = env.float(
    "SUPPORT_EMAIL_LEASE_SECONDS", default=float(max(120, 3 * _EMAIL_TIMEOUT))
)
# Sends per user (django-ratelimit syntax: 5 per 10 minutes).
SUPPORT_RATE_LIMIT = env.str("SUPPORT_RATE_LIMIT", default="5/10m")

# --- Product --------------------------------------------------------------------------
CLAIMS_URL = env.str("CLAIMS_URL", default="https://claims.insurer.example/start")
PORTAL_NAME = env.str("PORTAL_NAME", default="Insured Portal")
# Online payment address when a company has none of its own; {account} is replaced.
PAYMENT_URL_TEMPLATE = env.str(
    "PAYMENT_URL_TEMPLATE", default="https://pay.insurer.example/billing?account={account}"
)
# Billing reminders (manage.py send_billing_reminders): remind this many days before an
# invoice is due; a past-due reminder follows the day after the due date.
REMINDER_DAYS_BEFORE_DUE = env.int("REMINDER_DAYS_BEFORE_DUE", default=7)
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "portal.security": {"handlers": ["console"], "level": "INFO", "propagate": True},
    },
}
