"""Yizhan settings: one module, read from the environment, with safe demo defaults.

`YIZHAN_ENV=production` switches on the hardened profile (`manage.py check --deploy` clean).
Every setting an operator may change is listed in docs/OPERATIONS.md.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("YIZHAN_HOME", BASE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("YIZHAN_VAR_DIR", PROJECT_DIR / "var"))


def env(name, default=None):
    """A setting from the environment, or from the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name, default="false"):
    return str(env(name, default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(env(name, str(default)))


def envlist(name, default=""):
    return [item.strip() for item in str(env(name, default)).split(",") if item.strip()]


YIZHAN_ENV = env("YIZHAN_ENV", "demo")
PRODUCTION = YIZHAN_ENV == "production"

# Demo defaults are deliberately marked insecure so that a production profile refuses them.
DEMO_SECRET_KEY = "demo-insecure-3b6f0d9e5c8a4f1e9d7c2b1a0f8e7d6c5b4a3928171605f4e3d2c1b0a9f8e7d6"
SECRET_KEY = env("SECRET_KEY", None if PRODUCTION else DEMO_SECRET_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when YIZHAN_ENV=production")

DEBUG = envbool("DEBUG", "false")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Our apps first: their templates and translations take precedence over Django's.
    "yizhan.core",
    "yizhan.places",
    "yizhan.orgs",
    "yizhan.stations",
    "yizhan.accounts",
    "yizhan.reports",
    "yizhan.cases",
    "yizhan.points",
    "yizhan.volunteering",
    "yizhan.training",
    "yizhan.transparency",
    "yizhan.membership",
    "yizhan.news",
    "yizhan.portal",
    "yizhan.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yizhan.core.middleware.SecurityHeadersMiddleware",
    "yizhan.core.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yizhan.core.middleware.TextGZipMiddleware",  # pages and JSON; static files are WhiteNoise's
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yizhan.core.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yizhan.core.middleware.ServiceErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "yizhan.urls"
WSGI_APPLICATION = "yizhan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yizhan.core.context_processors.site",
                "yizhan.portal.context_processors.navigation",
            ]
        },
    }
]

# --- Database: SQLite file by default, PostgreSQL with DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yizhan.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["yizhan.accounts.backends.MobilePasswordBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if envbool("YIZHAN_FAST_PASSWORD_HASHER", "false"):
    # Tests only: PBKDF2 with 870,000 rounds would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Language and time: Chinese first, English complete; store UTC, show Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendor/: npm assets copied by `make assets`
# Production collects into STATIC_ROOT; the demo serves straight from the apps (finders).
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
STORAGES = {
    "default": {
        "BACKEND": env("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
# Files with personal data (case attachments) live outside MEDIA_ROOT, so no web server or
# media route can hand them out: only views that check role and scope read them.
PRIVATE_MEDIA_ROOT = Path(env("YIZHAN_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
SERVE_MEDIA = envbool("YIZHAN_SERVE_MEDIA", "false" if PRODUCTION else "true")
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)

PHOTO_MAX_BYTES = envint("YIZHAN_PHOTO_MAX_BYTES", 12 * 1024 * 1024)
PHOTO_MAX_PIXELS = envint("YIZHAN_PHOTO_MAX_PIXELS", 50_000_000)
REPORTS_DAILY_LIMIT = envint("YIZHAN_REPORTS_DAILY_LIMIT", 20)
REPORTS_AUTOCLOSE_DAYS = envint("YIZHAN_REPORTS_AUTOCLOSE_DAYS", 7)
# Work orders (docs/CASES.md): the acceptance and misrouting windows in working days, how
# often the deadline sweep runs and how many cases one sweep transaction claims.
CASES_ACCEPT_WORKING_DAYS = envint("YIZHAN_CASES_ACCEPT_WORKING_DAYS", 1)
CASES_RETURN_WORKING_DAYS = envint("YIZHAN_CASES_RETURN_WORKING_DAYS", 2)
CASES_SWEEP_SECONDS = envint("YIZHAN_CASES_SWEEP_SECONDS", 60)
CASES_SWEEP_BATCH = envint("YIZHAN_CASES_SWEEP_BATCH", 0)  # 0: each kind in one statement

# City dashboards (docs/DASHBOARDS.md): how often the rollup job looks for a new day, how many
# past days each run recounts, how far back the first run goes, the longest range a page shows.
DASHBOARD_REFRESH_SECONDS = envint("YIZHAN_DASHBOARD_REFRESH_SECONDS", 3600)
DASHBOARD_RECOUNT_DAYS = envint("YIZHAN_DASHBOARD_RECOUNT_DAYS", 14)
DASHBOARD_HISTORY_DAYS = envint("YIZHAN_DASHBOARD_HISTORY_DAYS", 800)
DASHBOARD_MAX_RANGE_DAYS = envint("YIZHAN_DASHBOARD_MAX_RANGE_DAYS", 366)
DASHBOARD_PLANNING_SECONDS = envint("YIZHAN_DASHBOARD_PLANNING_SECONDS", 20)
# Today's live delta is shared by a process's requests for this many seconds (0: never).
DASHBOARD_LIVE_SECONDS = envint("YIZHAN_DASHBOARD_LIVE_SECONDS", 15)
# Today so far is rolled up this often, so a page asks the apps only for the minutes since.
DASHBOARD_LIVE_REFRESH_SECONDS = envint("YIZHAN_DASHBOARD_LIVE_REFRESH_SECONDS", 300)

# --- Stations and the points bank
# A worker within this many metres of a station may check in without scanning its QR code.
STATIONS_CHECK_IN_RADIUS_M = envint("YIZHAN_STATIONS_CHECK_IN_RADIUS_M", 300)
# How long a redeemed item waits at the station before it is refunded and restocked.
POINTS_PICKUP_HOURS = envint("YIZHAN_POINTS_PICKUP_HOURS", 72)
# Event-driven awards are staged and posted in batches (docs/POINTS.md): at most this many
# per transaction, and a process books at most one applier run per delay (0: one run per
# staged award, in its own transaction — the demo and the tests).
POINTS_AWARD_BATCH = envint("YIZHAN_POINTS_AWARD_BATCH", 500)
POINTS_AWARD_DELAY_MS = envint("YIZHAN_POINTS_AWARD_DELAY_MS", 250 if PRODUCTION else 0)
# On PostgreSQL a redemption's hold is one call of a database function (docs/POINTS.md,
# "Locking"); off, it takes the same steps from Python, as on SQLite (the parity test does).
POINTS_HOLD_IN_DATABASE = True

# --- Background tasks: a database-backed queue (SQLite in the demo, PostgreSQL with skip-locked).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task RUNNING longer than this was lost with its worker: it is marked failed and run again.
TASKS_STUCK_MINUTES = envint("YIZHAN_TASKS_STUCK_MINUTES", 30)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Personal data: Fernet keys (first one encrypts; all decrypt) and an HMAC key for lookups.
DEMO_PII_KEY = "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="
PII_KEYS = envlist("YIZHAN_PII_KEYS", "" if PRODUCTION else DEMO_PII_KEY)
PII_HASH_KEY = env("YIZHAN_PII_HASH_KEY", None if PRODUCTION else "demo-only-hash-key")
if not PII_KEYS or not PII_HASH_KEY:
    raise ImproperlyConfigured("YIZHAN_PII_KEYS and YIZHAN_PII_HASH_KEY must be set in production")
PRIVACY_NOTICE_VERSION = env("YIZHAN_PRIVACY_NOTICE_VERSION", "2026-11")

# --- Notifications
# The demo keeps texts in an outbox (the demo's SMS page, tests) and logs them masked.
SMS_BACKEND = env("YIZHAN_SMS_BACKEND", "yizhan.core.sms.OutboxSmsBackend")
# The SMS gateway's inbound webhook (replies such as a beneficiary's confirmation code) is
# closed unless the gateway sends this key in X-Source-Key.
SMS_INBOUND_KEY = env("YIZHAN_SMS_INBOUND_KEY", "")
# Production refuses a backend that only logs (deploy check yizhan.E003) unless allowed here.
SMS_LOG_BACKEND_ALLOWED = envbool("YIZHAN_SMS_LOG_BACKEND_ALLOWED", "false")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@yizhan.invalid")
OTP_TTL_SECONDS = envint("YIZHAN_OTP_TTL_SECONDS", 300)
# SMS codes (login and registration): one a minute and a few an hour per number, more per
# client address; registrations per client address.
SMS_MIN_GAP_SECONDS = envint("YIZHAN_SMS_MIN_GAP_SECONDS", 60)
SMS_PER_NUMBER_PER_HOUR = envint("YIZHAN_SMS_PER_NUMBER_PER_HOUR", 5)
SMS_PER_ADDRESS_PER_HOUR = envint("YIZHAN_SMS_PER_ADDRESS_PER_HOUR", 20)
REGISTRATIONS_PER_ADDRESS_PER_HOUR = envint("YIZHAN_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 10)

# --- API tokens and login throttling
API_TOKEN_TTL_HOURS = envint("YIZHAN_API_TOKEN_TTL_HOURS", 24 * 30)
LOGIN_MAX_FAILURES = envint("YIZHAN_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = envint("YIZHAN_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Past LOGIN_MAX_FAILURES failures on one account (from any clients), each further try waits
# 1, 2, 4 … seconds after the last failure, at most this long: slowed, never locked.
LOGIN_SLOWDOWN_MAX_SECONDS = envint("YIZHAN_LOGIN_SLOWDOWN_MAX_SECONDS", 60)

# --- Behind a reverse proxy: whose forwarding header to believe (docs/OPERATIONS.md, nginx).
# Only requests whose socket address is one of these networks may name the client address in
# CLIENT_IP_HEADER; everyone else is who their socket says they are.
TRUSTED_PROXIES = envlist("YIZHAN_TRUSTED_PROXIES", "")
TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(p, strict=False) for p in TRUSTED_PROXIES]
CLIENT_IP_HEADER = "HTTP_" + env("YIZHAN_CLIENT_IP_HEADER", "X-Forwarded-For").upper().replace(
    "-", "_"
)

# --- Maps (docs/MAPS.md, docs/OPERATIONS.md): the basemap provider and its datum. Without
# tiles ("offline") the map draws the city's districts, communities and markers by itself.
MAP_TILE_URL = env("YIZHAN_MAP_TILE_URL", "")
MAP_PROVIDER = env("YIZHAN_MAP_PROVIDER", "custom" if MAP_TILE_URL else "offline")
MAP_TIANDITU_KEY = env("YIZHAN_MAP_TIANDITU_KEY", "")
MAP_TILE_CRS = env("YIZHAN_MAP_TILE_CRS", "wgs84")  # gcj02 for AMap/Tencent-style tiles
MAP_TILE_ATTRIBUTION = env("YIZHAN_MAP_TILE_ATTRIBUTION", "")
MAP_TILE_SUBDOMAINS = env("YIZHAN_MAP_TILE_SUBDOMAINS", "")
MAP_TILE_MAX_ZOOM = envint("YIZHAN_MAP_TILE_MAX_ZOOM", 18)
MAP_CLUSTER_ABOVE = envint("YIZHAN_MAP_CLUSTER_ABOVE", 200)  # markers in view before clustering
# A point farther than this outside the city's districts is refused (GPS drift at the edge).
PLACES_CITY_MARGIN_M = envint("YIZHAN_PLACES_CITY_MARGIN_M", 1000)

SITE_NAME = _("Yizhan")

# --- Security: secure by default, strict in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 14 * 24 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
    if env("CACHE_URL", ""):
        CACHES = {"default": {"BACKEND": env("CACHE_BACKEND"), "LOCATION": env("CACHE_URL")}}
    if SECRET_KEY == DEMO_SECRET_KEY:
        raise ImproperlyConfigured("The demo SECRET_KEY must not be used in production")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
    },
}
