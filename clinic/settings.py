"""Settings for the microneedling course planner.

Everything that differs between a laptop and a clinic's server comes from the
environment (see README, "Configuration"). With no variables set the planner
runs on embedded defaults: SQLite, a file-system Celery broker and e-mail
written to ``var/outbox/``. With ``DEBUG`` off it refuses to start on an
insecure configuration.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import dj_database_url
import pghistory
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.env import read_bool, read_int, read_list, read_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(read_str("VAR_DIR", str(BASE_DIR / "var")))

# --- Core and security ------------------------------------------------------

DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
DEBUG = read_bool("DEBUG", default=True)
SECRET_KEY = read_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DEBUG is off but SECRET_KEY is unset, the development key, or shorter than "
            "50 characters. Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG is off but ALLOWED_HOSTS is empty: set it to the planner's host name(s), "
            "comma-separated."
        )

SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = read_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = read_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if read_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = read_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)

# Content-Security-Policy (django-csp): scripts and styles only from the planner's own
# static files, nothing inline. The one exception is a <style> element carrying the
# request's nonce: the calendars and progress bars are laid out on the server, and
# their per-block positions go into it (never into style="" attributes). Browsers
# report violations to the planner itself (clinic.views.csp_report logs them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # Bootstrap draws its icons as data: SVG in its CSS
        "font-src": [SELF],
        "connect-src": [SELF],  # the today board refreshes itself with fetch()
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "report-uri": "/csp-report/",  # clinic.views.csp_report
    },
}
# Permissions-Policy (django-permissions-policy): no page needs a device or sensor.
# Only features Chromium knows (an unknown name is a console error on every page).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
        "microphone", "midi", "payment", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip

# --- Applications -------------------------------------------------------------

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",  # Django's admin, for managers only (clinic.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "rules",  # the permission rules (clinic/permissions.py) and their template tags
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",  # the REST API (api/, issue #18)
    "drf_spectacular",  # its OpenAPI 3 schema
    "clinic",
    "clinic.accounts",
    "audit",
    "patients",
    "courses",
    "reminders",
    "portal",
    "planner",
    "api",
    "privacy",  # the patient's export and erasure, and the retention review (issue #19)
]

MIDDLEWARE = [
    "clinic.middleware.NoStoreMiddleware",  # first: every answer below it, errors included
    "clinic.middleware.RejectNullBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Accept-Language for anonymous pages (no language-prefixed URLs); a signed-in staff
    # member's own choice overrides it (clinic.accounts.middleware.StaffLanguageMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.accounts.middleware.StaffLanguageMiddleware",  # after the login: knows the user
    "clinic.middleware.StaffRequiredMiddleware",
    "audit.middleware.AuditContextMiddleware",  # after the login: knows the user
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.accounts.middleware.SessionIdleMiddleware",
    "clinic.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the "locked out" page
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# A form refused for a missing or stale CSRF cookie gets the planner's page, not Django's.
CSRF_FAILURE_VIEW = "clinic.views.csrf_failure"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Database -----------------------------------------------------------------

DATABASE_URL = read_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
            conn_max_age=read_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
# SQLite with several processes (web, worker, beat): write-ahead logging lets
# readers go on while one process writes, writers wait up to the busy timeout
# for each other instead of failing, and a transaction that will write takes
# the write lock when it begins (IMMEDIATE): a deferred one that reads first and
# writes later cannot wait for another writer and fails at once with "database
# is locked" (seen as dispatcher runs failing beside the heartbeat).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": read_int("DATABASE_BUSY_TIMEOUT", 20, minimum=1),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL text, and psycopg prepares a statement
    # a connection runs a fifth time, so PostgreSQL stops parsing and planning it
    # again (the reminder worker runs the same few statements for every message;
    # this halved the database's CPU time in the delivery benchmark). A connection
    # pooler in transaction mode must keep prepared statements (PgBouncer 1.21+
    # with max_prepared_statements) or DATABASE_PREPARED_STATEMENTS=0 turns them off.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=5 if read_bool("DATABASE_PREPARED_STATEMENTS", default=True) else None,
    )

# --- Authentication -----------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes counts failed logins first, then Django checks the password; the roles and
# permissions (clinic/permissions.py, the `rules` library) answer every permission question.
AUTHENTICATION_BACKENDS = [
    "clinic.accounts.backends.LockoutBackend",  # django-axes, for requests from a browser
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): 5 failures for one account, or from one address, within
# the cool-off period lock that account or address until the period has passed since the
# last failure. A success in between does not wipe the count, so passing the password step
# again does not buy more guesses at the code step. Managers unlock in the admin
# (Axes > Access attempts: delete the rows).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=read_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "clinic.accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no start-up banner, no user agent in its log lines (values masked)
# Successful logins go to the audit trail (clinic.accounts.events), not to a second,
# never-pruned table of addresses and browsers; failures are kept while they count.
AXES_DISABLE_ACCESS_LOG = True
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies (each
# appending to X-Forwarded-For) stand in front; then the address the outermost one saw.
# Never set it without such a proxy: a client could then pick its own address.
TRUSTED_PROXY_COUNT = read_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "clinic.accounts.client_ip.client_address"
# Two-step verification (django-otp): the name authenticator apps show for the planner.
OTP_TOTP_ISSUER = read_str("OTP_TOTP_ISSUER", "Clinic planner")
# The admin never shows a person's authenticator key or its QR code: whoever saw it could
# make that person's codes. Managers may only delete a lost authenticator.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Audit trail (audit/, README "Audit trail") ----------------------------------
# Inserts, updates and deletes of the tracked models are written to their event
# tables by PostgreSQL triggers (django-pghistory); the event tables refuse
# UPDATE and DELETE (pgtrigger.Protect). Each event row carries who and from
# which request as JSON (audit.middleware and the Celery task entry set it).
PGHISTORY_APPEND_ONLY = True
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
# obj.audit_events: the tracked row's own events (".events" is taken by the outbox's log).
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_events")
PGHISTORY_MIDDLEWARE_METHODS: tuple[str, ...] = ()  # audit.middleware sets the context

# --- Internationalisation and time --------------------------------------------

LANGUAGE_CODE = "en-gb"  # English by default; LANGUAGES below are what ships
TIME_ZONE = read_str("TIME_ZONE", "Europe/London")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name (e.g. Europe/London)."
    ) from None
USE_I18N = True
# The languages the planner ships complete catalogues for (locale/<code>/LC_MESSAGES), by
# their own names: staff pick one in their account, patients are written to in one.
# English stays the default for anonymous pages without an Accept-Language match.
LANGUAGES = [
    ("en", "English"),
    ("ru", "Русский"),
    ("de", "Deutsch"),
    ("uk", "Українська"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A patient's messages and pages are written in one of the shipped languages, exactly: a
# language without a catalogue would silently fall back to English while the record said
# otherwise. Rows stored with another code before (es, fr, it, pl, pt) were moved to the
# clinic's default, English, by patients/migrations/0004; the patient form refuses any
# other code with a message.
PATIENT_LANGUAGES = LANGUAGES
# Phone numbers typed without a country code are read as this country's.
PHONENUMBER_DEFAULT_REGION = read_str("PHONE_REGION", "GB").upper()
PHONENUMBER_DB_FORMAT = "E164"
USE_TZ = True

# --- Static files ---------------------------------------------------------------
# Bootstrap comes from the bootstrap-wrapper package on PyPI and is served by the
# planner itself (WhiteNoise): pages never load anything from a third-party host.

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- E-mail -------------------------------------------------------------------

EMAIL_HOST = read_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = read_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = read_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = read_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = read_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = read_bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_TIMEOUT = read_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = read_str("DEFAULT_FROM_EMAIL", "Clinic planner <planner@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's file-system transport, which
# needs no server. The broker carries only "send message N" and beat's ticks;
# what must not be lost lives in the database (the reminders outbox), so the
# broker is not asked to keep it safe. A task is acknowledged after it ran
# (late ack) and handed back when its worker process is lost, and a worker
# process holds one message at a time. Redis's acknowledgement emulation is
# off: it stored every delivered message again and cost two Redis round trips
# per task in the worker's main loop, to recover messages of a killed worker
# that the outbox recovers anyway (rows left "sending" are claimed again when
# their lease runs out; beat repeats its ticks every minute). Without it Redis
# never delivers a message twice, whatever the visibility timeout.

REDIS_URL = read_str("REDIS_URL")
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"ack_emulation": False}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "clinic.broker:Transport"  # whole messages only (clinic/broker.py)
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The embedded broker keeps its messages in folders that must exist.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "record-worker-heartbeat": {"task": "clinic.tasks.record_heartbeat_task", "schedule": 60.0},
    "dispatch-due-messages": {
        "task": "reminders.tasks.dispatch_due_messages_task",
        "schedule": 60.0,
    },
    "queue-daily-agendas": {"task": "reminders.tasks.queue_daily_agendas_task", "schedule": 900.0},
    "delete-expired-drafts": {
        "task": "courses.tasks.delete_expired_drafts_task",
        "schedule": 3600.0,
    },
    "remove-stale-photo-uploads": {
        "task": "courses.tasks.remove_stale_photo_uploads_task",
        "schedule": 3600.0,
    },
    # The retention review: who is past the clinic's retention period (privacy/). Daily.
    "list-due-for-erasure": {
        "task": "privacy.tasks.list_due_for_erasure_task",
        "schedule": 86400.0,
    },
}
# A course previewed but never confirmed (a draft) expires after this many hours
# and the hourly cleanup deletes it.
CLINIC_DRAFT_EXPIRY_HOURS = read_int("CLINIC_DRAFT_EXPIRY_HOURS", 24, minimum=1)

# --- Messages to patients -------------------------------------------------------
# Links in messages point here (the address patients reach the planner at).
# By default, the address `make run` serves on (PLANNER_ADDR), so a demo on
# another port sends links that work.
PLANNER_BASE_URL = read_str(
    "PLANNER_BASE_URL", f"http://{read_str('PLANNER_ADDR', '127.0.0.1:8000')}"
).rstrip("/")
# "console" writes SMS to var/sms-outbox.log; "http" posts them to SMS_GATEWAY_URL.
SMS_BACKEND = read_str("SMS_BACKEND", "console")
if SMS_BACKEND not in ("console", "http"):
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r}: use 'console' or 'http'.")
SMS_GATEWAY_URL = read_str("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = read_str("SMS_GATEWAY_TOKEN")
SMS_SENDER = read_str("SMS_SENDER", "Clinic")
if SMS_BACKEND == "http" and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_GATEWAY_URL.")
SMS_FILE_PATH = VAR_DIR / "sms-outbox.log"

# Webhooks (issue #18): each delivery waits at most this long for the receiver's answer.
WEBHOOK_TIMEOUT_SECONDS = read_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Whether an endpoint may be on this machine or a private network (loopback, 10/8, ...).
# Off in production: a manager's address must not reach the clinic's own services.
WEBHOOK_ALLOW_PRIVATE = read_bool("WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
# Workers re-read the clinic's settings at most this often (seconds).
CLINIC_CACHE_SECONDS = read_int("CLINIC_CACHE_SECONDS", 30, minimum=0)

# --- The REST API (api/, README "Integrate with the planner") ---------------------
# Personal tokens only (``Authorization: Bearer ...``), never the session cookie, so CSRF
# does not apply; JSON in and out; every refusal an RFC 9457 problem (api.problems).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenRules"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic planner API",
    "DESCRIPTION": (
        "Microneedling treatment-course planner. Authenticate with a personal token from "
        "your account page: `Authorization: Bearer <token>`. Errors are RFC 9457 problem "
        "details carrying the rule's stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # api.urls' record ids: 1 to 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "courses.statuses.SessionStatus",
        "CourseStatusEnum": "courses.models.CourseStatus",
        "OutboxStatusEnum": "reminders.models.Status",
        "BodyRegionEnum": "clinic.regions.BodyRegion",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
# Requests per token and minute (HTTP 429 with Retry-After past it), and the largest JSON
# body taken (bytes; HTTP 413 past it).
API_RATE_LIMIT = read_int("API_RATE_LIMIT", 600, minimum=1)
API_MAX_BODY_BYTES = read_int("API_MAX_BODY_BYTES", 64 * 1024, minimum=1024)
# The rate counters are shared by every web process: in Redis when there is one, else in
# files under VAR_DIR (one machine). Django's own default cache stays per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "api"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "api-cache")}
    ),
}  # fmt: skip

# --- Logging ------------------------------------------------------------------
# Health data: log lines carry identifiers (primary keys), never names, contact
# details or screening answers.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_link_secrets": {"()": "clinic.logs.RedactLinkSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_link_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": read_str("LOG_LEVEL", "INFO")},
    # Django's own loggers through the same filter: its default configuration gives
    # "django" a console handler of its own (with DEBUG on) and "django.server" (the
    # development server's request lines) another; both print paths with link secrets.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
