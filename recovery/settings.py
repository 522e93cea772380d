"""Settings for Recovery, read from the environment (12-factor).

With no DATABASE_URL the app runs on SQLite under var/; with no REDIS_URL Celery uses
kombu's filesystem transport under var/, so `make run` needs no server at all.
"""

import datetime
import os
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
# Absolute, also when given relative: cache and file locations must not move with the cwd.
VAR_DIR = Path(os.environ.get("RECOVERY_VAR_DIR", BASE_DIR / "var")).resolve()


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "simple_history",  # the append-only history of every rule (docs/rule-history.md)
    "accounts",
    "cases",
    "sla",
    "remedies",
    "inbound",
    "integrations",
    "insights",
    "messaging",
    "conversations",
    "knowledge",
    "portal",
    "desk",  # after messaging: its reaction to an opening runs after the apology's
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
    "django_htmx.middleware.HtmxMiddleware",
    # Names the signed-in person on each rule history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # After CSRF, sessions, messages and htmx: a form sent twice acts once.
    "accounts.formtokens.FormTokenMiddleware",
    "recovery.badinput.ControlCharactersInQueryMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns repeated failed logins into a lockout.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]

ROOT_URLCONF = "recovery.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "recovery.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'recovery.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that makes no round trip (recovery/db/postgresql).
    DATABASES["default"]["ENGINE"] = "recovery.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests get a file of their own per process, not shared-cache memory: the live server's
    # threads then wait on SQLite's lock as the web process does, instead of "table is locked".
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"recovery-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and received files (e-mail attachments, raw mail): never served directly, only
# through views that check who is asking.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: strict by default; DEBUG and the test suite relax only what plain HTTP needs.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: everything is served from static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "integrations.auth.TokenScope",
        "cases.api.filters.KnownQueryParameters",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.auth.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": ["cases.api.filters.FilterBackend"],
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["recovery.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# Per token (or signed-in user); generous, so only a runaway client meets it. "N/second|minute|hour|day".
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "6000/minute") or None
API_THROTTLE_CACHE = "api"
SPECTACULAR_SETTINGS = {
    "TITLE": "Recovery API",
    "DESCRIPTION": (
        "Create, read and move service-recovery cases; receive signed webhooks. "
        "Authenticate with `Authorization: Token <key>`. Errors share one shape: "
        "`{detail, code, errors: {field: [messages]}, problems: [messages]}`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "TriageStageEnum": "cases.models.TriageStage",
        "ActionStatusEnum": "cases.models.ActionStatus",
        "TriStateEnum": "cases.models.TriState",
        "EventTypeEnum": "integrations.models.EventType",
        "ClockKindEnum": "sla.rules.ClockKind",
        "PolicyKindEnum": "sla.models.PolicyKind",
        "ChannelEnum": "cases.models.Channel",
        "JourneyStageEnum": "cases.models.JourneyStage",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The throttle's counters must be shared by every web process: Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
    # Who has a case open right now (cases.presence): short-lived, shared by every web process.
    "presence": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "presence"},
    # Generation numbers of static configuration (cases.config): shared by every process.
    "config": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "config-cache"),
    },
}
if os.environ.get("REDIS_URL"):
    CACHES["config"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "recovery-config",
    }
    CACHES["api"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "recovery-api",
    }
    CACHES["presence"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "recovery-presence",
    }

# How often a process asks whether static configuration changed elsewhere (cases.config).
CONFIG_RECHECK_SECONDS = env_int("CONFIG_RECHECK_MS", 1000) / 1000

# Webhooks: failed attempts in a row before a subscription is paused, and the retry ladder.
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 15)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Receivers on loopback, private or link-local addresses are refused unless listed here, by host
# name or by address/CIDR (e.g. "hooks.corp.internal,10.20.0.0/16"): for on-premises receivers.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", "")

# Celery: Redis when REDIS_URL is set, otherwise a broker that needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport with a fix for a worker crash on reconnect (see recovery/broker.py).
    CELERY_BROKER_TRANSPORT = "recovery.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Deliveries have a queue of their own, so a sweep working through a backlog never holds mail
# back. A worker started without -Q consumes both; production runs one worker per queue.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("outbox"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"outbox.*": {"queue": "outbox"}}
# The SLA sweep and the outbox deliverer are ticked by beat; deadlines themselves live in the database.
SLA_SWEEP_SECONDS = env_int("SLA_SWEEP_SECONDS", 5)
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 200)
# Clocks claimed and committed together: fewer round trips, and a case held for one group only.
SLA_SWEEP_GROUP = env_int("SLA_SWEEP_GROUP", 10)
NOTIFY_DELIVER_SECONDS = env_int("NOTIFY_DELIVER_SECONDS", 15)
# /readyz fails once the sweep's last completed run is older than this (0: 3 sweeps + a minute).
SLA_SWEEP_STALE_SECONDS = env_int("SLA_SWEEP_STALE_SECONDS", 0)
CELERY_BEAT_SCHEDULE: dict = {
    "sla-sweep": {
        "task": "sla.sweep",
        "schedule": float(SLA_SWEEP_SECONDS),
        # A tick that waited longer than an interval is stale: the next one does the same work.
        # ("expire_seconds" is how django-celery-beat's DatabaseScheduler spells "expires".)
        "options": {"expires": float(SLA_SWEEP_SECONDS), "expire_seconds": SLA_SWEEP_SECONDS},
    },
    "outbox-deliver-due": {
        "task": "outbox.deliver_due",
        "schedule": float(NOTIFY_DELIVER_SECONDS),
        "options": {"expires": float(NOTIFY_DELIVER_SECONDS), "expire_seconds": NOTIFY_DELIVER_SECONDS},
    },
    "idempotency-keys-purge": {"task": "idempotency.purge", "schedule": 3600.0},
    # A no-op unless a case was triaged since the last model: suggestions learn within a minute.
    "knowledge-refresh-suggestions": {
        "task": "knowledge.refresh_suggestions",
        "schedule": 60.0,
        "options": {"expires": 60.0, "expire_seconds": 60},
    },
    # Managers' weekly digests that fell due (each at the weekday and hour its reader chose).
    "insights-digest-send-due": {
        "task": "insights.digest_send_due",
        "schedule": 300.0,
        "options": {"expires": 300.0, "expire_seconds": 300},
    },
    # The dashboard's per-day rollup: the days whose cases changed since the last tick.
    "insights-rollup-refresh": {
        "task": "insights.rollup_refresh",
        "schedule": 60.0,
        "options": {"expires": 60.0, "expire_seconds": 60},
    },
    # Repeat customers of the standard periods (a month, a quarter, a year), shown "as of" the tick.
    "insights-repeat-customers-refresh": {
        "task": "insights.repeat_customers_refresh",
        "schedule": 300.0,
        "options": {"expires": 300.0, "expire_seconds": 300},
    },
}

# Mail intake (inbound app): one service fed by IMAP polling and an SMTP listener.
INBOUND_MAX_BYTES = env_int("INBOUND_MAX_BYTES", 10 * 1024 * 1024)
INBOUND_ATTACHMENT_MAX_BYTES = env_int("INBOUND_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
INBOUND_ATTACHMENT_TYPES = env_list(
    "INBOUND_ATTACHMENT_TYPES",
    "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain,text/csv",
)
INBOUND_TEAM = env_str("INBOUND_TEAM", "")  # a team slug; empty: the first team
INBOUND_PRODUCT = env_str("INBOUND_PRODUCT", "E-mail enquiry")
IMAP_HOST = env_str("IMAP_HOST", "")
IMAP_SSL = env_bool("IMAP_SSL", True)
IMAP_PORT = env_int("IMAP_PORT", 993 if IMAP_SSL else 143)
IMAP_USER = env_str("IMAP_USER", "")
IMAP_PASSWORD = env_str("IMAP_PASSWORD", "")
IMAP_FOLDER = env_str("IMAP_FOLDER", "INBOX")
IMAP_POLL_SECONDS = env_int("IMAP_POLL_SECONDS", 15)
if IMAP_HOST:
    CELERY_BEAT_SCHEDULE["inbound-poll-imap"] = {
        "task": "inbound.tasks.poll_imap",
        "schedule": IMAP_POLL_SECONDS,
    }


def email_from_url(url: str) -> dict:
    """EMAIL_* settings from an SMTP URL: smtp://user:password@host:587/?tls=1 (STARTTLS),
    smtps://user:password@host (TLS from the first byte, port 465), optional &timeout=SECONDS."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:587/?tls=1 or smtps://host, not {url!r}."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    flag = {"1": True, "true": True, "yes": True, "on": True}
    flag |= {"0": False, "false": False, "no": False, "off": False}
    try:
        use_ssl = parts.scheme == "smtps" or flag[query.get("ssl", "0").lower()]
        use_tls = flag[query.get("tls", "0").lower()]
        port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
        timeout = int(query.get("timeout", "10"))
    except (KeyError, ValueError):
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port, tls, ssl or timeout: {url!r}.") from None
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose tls=1 (STARTTLS) or smtps:// (implicit TLS), not both.")
    return {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }


# Outgoing mail: customer messages and escalations. EMAIL_URL (or the EMAIL_HOST family) names the
# SMTP server. The console backend is a development default only: in production it would print
# every message, personal data included, into the worker log and count it delivered, so with
# DEBUG=0 the mail check (recovery/checks.py) refuses to start without a server.
_email = email_from_url(os.environ["EMAIL_URL"]) if os.environ.get("EMAIL_URL") else {}
EMAIL_HOST = _email.get("EMAIL_HOST", env_str("EMAIL_HOST", ""))
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", env_bool("EMAIL_USE_SSL", False))
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", env_bool("EMAIL_USE_TLS", False))
_default_port = 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
EMAIL_PORT = _email.get("EMAIL_PORT", env_int("EMAIL_PORT", _default_port))
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", env_str("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", env_str("EMAIL_HOST_PASSWORD", ""))
# A hung SMTP server must not hold a worker for good; the outbox retries.
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT", env_int("EMAIL_TIMEOUT", 10))
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "recovery@localhost")
# Links in notifications point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# SMS: a log backend by default; "sla.notify.HttpSmsBackend" posts to a gateway.
SMS_BACKEND = env_str("SMS_BACKEND", "sla.notify.LogSmsBackend")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 30)
# Two-way SMS and the social/review monitors (conversations/): the webhooks' secrets when no
# SmsGateway row names them, the country a national number belongs to, and where new cases go.
SMS_WEBHOOK_TWILIO_TOKEN = env_str("SMS_WEBHOOK_TWILIO_TOKEN", "")
SMS_WEBHOOK_HMAC_SECRET = env_str("SMS_WEBHOOK_HMAC_SECRET", "")
SMS_WEBHOOK_BASE_URL = env_str("SMS_WEBHOOK_BASE_URL", "").rstrip("/")  # the URL Twilio signs, behind a proxy
SMS_DEFAULT_COUNTRY_CODE = env_str("SMS_DEFAULT_COUNTRY_CODE", "44")
SMS_PRODUCT = env_str("SMS_PRODUCT", "Text message")
MENTIONS_PRODUCT = env_str("MENTIONS_PRODUCT", "Public post or review")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "recovery.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "recovery.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Remedies: authority caps and approvals. Amounts are in DEFAULT_CURRENCY unless a row says otherwise.
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "GBP")
REMEDY_CURRENCIES = env_list("REMEDY_CURRENCIES", "GBP,EUR,USD")
if DEFAULT_CURRENCY not in REMEDY_CURRENCIES:
    raise ImproperlyConfigured(f"DEFAULT_CURRENCY {DEFAULT_CURRENCY!r} must be one of REMEDY_CURRENCIES.")
APPROVAL_MINUTES = env_int("APPROVAL_MINUTES", 15)
# After the lead's clock, each next level (one manager, then every manager) gets this long.
APPROVAL_ESCALATION_MINUTES = env_int("APPROVAL_ESCALATION_MINUTES", 15)
# The survey after the fix: sent this long after resolution, one reminder if unanswered.
SURVEY_SEND_AFTER_MINUTES = env_int("SURVEY_SEND_AFTER_MINUTES", 240)
SURVEY_REMIND_AFTER_HOURS = env_int("SURVEY_REMIND_AFTER_HOURS", 48)
SURVEY_SWEEP_SECONDS = env_int("SURVEY_SWEEP_SECONDS", 30)
CELERY_BEAT_SCHEDULE["surveys-send-due"] = {
    "task": "insights.surveys_send_due",
    "schedule": float(SURVEY_SWEEP_SECONDS),
    "options": {"expires": float(SURVEY_SWEEP_SECONDS), "expire_seconds": SURVEY_SWEEP_SECONDS},
}
# Past this total (last 12 months, DEFAULT_CURRENCY) a further remedy needs an explicit confirmation.
try:
    CUSTOMER_REMEDY_WARNING = Decimal(env_str("CUSTOMER_REMEDY_WARNING", "200"))
except InvalidOperation:
    raise ImproperlyConfigured("CUSTOMER_REMEDY_WARNING must be an amount, e.g. 200.") from None
CELERY_BEAT_SCHEDULE["remedies-escalate-approvals"] = {
    "task": "remedies.tasks.escalate_overdue_approvals",
    "schedule": env_int("APPROVAL_SWEEP_SECONDS", 30),
}
