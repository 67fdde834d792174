"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

from pathlib import Path
from typing import Any

import environ
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def embedded_database_url() -> str:
    """The project-local PostGIS cluster that scripts/pg.sh runs under var/ (used when DATABASE_URL is unset)."""
    port_file = VAR_DIR / "postgres" / "port"
    port = port_file.read_text().strip() if port_file.exists() else "55432"
    return f"postgis://reciproque@127.0.0.1:{port}/reciproque"


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The address of the site in e-mails (links to a home, unsubscribe links).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The product's name in every e-mail (subject prefix, greeting, signature).
SITE_NAME = env.str("SITE_NAME", default="Réciproque")
REDIS_URL = env.str("REDIS_URL", default="")

DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or embedded_database_url())}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# A pool of connections per process (psycopg_pool): an ASGI server runs each request's synchronous code in a
# thread of its own, so per-thread persistent connections (CONN_MAX_AGE) were opened anew on every request
# (about 10 ms each: 60 requests, 60 sessions). bench/http_floor.py measures it.
# DB_POOL_SIZE=0 turns it off (persistent connections instead): the benchmark's baseline.
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=8)
# Asynchronous connections per web process for the websocket's sends (marketplace.adb), besides the pool above.
LIVE_DB_CONNECTIONS = env.int("LIVE_DB_CONNECTIONS", default=16)
# The websocket's sends of one process written together (marketplace.adb.GroupCommit): at most this many
# statements in flight, each for at most LIVE_SEND_BATCH_MAX messages (LIVE_SEND_BATCH_MAX=1 and
# LIVE_SEND_BATCHES=LIVE_DB_CONNECTIONS: one statement per message, as before; bench/messaging.py's baseline).
LIVE_SEND_BATCHES = env.int("LIVE_SEND_BATCHES", default=2)
LIVE_SEND_BATCH_MAX = env.int("LIVE_SEND_BATCH_MAX", default=64)
if DB_POOL_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 10},
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# JIT compilation pays off for long analytical queries, not for a web request's: it added about 60 ms to the
# low-zoom tiles of a filtered map search at 1M homes (EXPLAIN ANALYZE: "JIT … Emission 57 ms").
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "options": "-c jit=off"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "channels",
    "ninja",
    "django_filters",
    "django_htmx",
    "csp",
    "procrastinate.contrib.django",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "pghistory",
    "marketplace.core",
    "marketplace.accounts",  # before allauth: its templates override allauth's
    "allauth",
    "allauth.account",
    "marketplace.organisations",
    "marketplace.messaging",
    "marketplace.notifications",
    "marketplace.audit",
    "geo",
    "exchanges.clearing",
    "exchanges.nights",  # before swaps: its eraser gives back the nights reserved by open stays
    "exchanges.swaps",  # before exchanges: its RGPD eraser runs before the homes are deleted
    "exchanges",
    "local_offers",
    "frontend",
]

MIDDLEWARE = [
    "marketplace.core.middleware.TrustedProxyMiddleware",
    "marketplace.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.core.middleware.FrenchFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads the body: control characters, size and parser limits → 4xx.
    "marketplace.core.middleware.InputGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.accounts.middleware.PreferredLanguageMiddleware",
    "marketplace.web.HtmlErrorMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
                "marketplace.notifications.context_processors.bell",
                "marketplace.messaging.context_processors.unread",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Accounts (django-allauth): e-mail login, mandatory verification, rate limits.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Réciproque] "
ACCOUNT_SIGNUP_FORM_CLASS = "marketplace.accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "marketplace.accounts.adapter.AccountAdapter"
# ASVS 2.2.1: failed logins are throttled per IP and per account (allauth counts them in the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
LOGIN_URL = "/comptes/connexion/"
LOGIN_REDIRECT_URL = "/comptes/profil/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Sessions in the database, read through the cache (marketplace/core/sessions.py): one query less per request.
# SESSION_ENGINE=django.contrib.sessions.backends.db: the previous path, bench/facilities.py's baseline.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="marketplace.core.sessions")
SESSION_COOKIE_AGE = 12 * 3600  # ASVS 3.3.2: re-authenticate at least every 12 hours
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files only their audience may read (message attachments): outside MEDIA_ROOT, without a URL; a view checks
# who asks, then streams them.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # also applied to query strings (InputGuardMiddleware)
# Longer addresses answer 414. daphne (twisted) drops a request line over 16 KiB without an answer and
# nginx's default buffers answer 414 over 8 KiB: 8 KiB here, so the answer is the same behind both.
MAX_URL_LENGTH = 8192
# The proxies whose X-Forwarded-For is believed (addresses or networks); nobody else's
# (marketplace.core.middleware.TrustedProxyMiddleware). The compose stack's nginx has a fixed address.
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Réciproque <ne-pas-repondre@reciproque.localhost>"
)

# A shared cache (rate limits, presence, basemap GeoJSON) across web replicas when Redis is there; while
# Redis is unreachable each process answers from its own (marketplace.core.cache), never with a 500.
CACHES = {
    "default": (
        {
            "BACKEND": "marketplace.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cache",
            # Fail fast (no retries with back-off): the request then goes on with the process's own cache.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 0)},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# redis-py 8 reads every reply within 5 s by default, exactly channels_redis's blocking pop (BZPOPMIN, 5 s): the
# read lost the race, receive() raised TimeoutError and every idle websocket was closed after ~5 s. Above it.
CHANNEL_LAYER_SOCKET_TIMEOUT = 15


def channel_layer_host(url: str) -> dict[str, object]:
    # redis-py refuses a 101st connection of a pool (MaxConnectionsError): a thousand sockets of one process
    # closing at once, or a burst of broadcasts, went past it (bench/messaging.py).
    return {"address": url, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT, "max_connections": 2000}


if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # CHANNEL_LAYER: channels_redis's pub/sub layer by default (bench/messaging.py: at 1,000 sockets its
            # latency was a third of the core layer's, which also lost live events), `core` on request; the
            # tests of two processes and of Redis stopped (M5) run the project with either.
            "BACKEND": "marketplace.realtime.PubSubChannelLayer"
            if env.str("CHANNEL_LAYER", default="pubsub") == "pubsub"
            else "channels_redis.core.RedisChannelLayer",
            "CONFIG": dict[str, object](hosts=[channel_layer_host(REDIS_URL)])
            if env.str("CHANNEL_LAYER", default="pubsub") == "pubsub"
            else dict[str, object](hosts=[channel_layer_host(REDIS_URL)], capacity=1500, expiry=60),
        }
    }
else:
    # One process only (make run): every websocket lives in the same daphne process.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Content Security Policy (django-csp 4): nothing is loaded from another host. MapLibre needs blob: workers.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["blob:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# An optional raster basemap (e.g. a tile server of the operator's own); off by default so no third-party
# host is contacted from a user's browser.
MAP_RASTER_TILES_URL = env.str("MAP_RASTER_TILES_URL", default="")
MAP_RASTER_ATTRIBUTION = env.str("MAP_RASTER_ATTRIBUTION", default="")

PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"

# Bulk import of facilities (local_offers.imports): the largest file accepted (zip archives: once inflated
# too), the most rows, and the most vertices of one geometry (a file's total: 20 times that). Files beyond
# are refused before any heavy work.
FACILITY_IMPORT_MAX_BYTES = env.int("FACILITY_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
FACILITY_IMPORT_MAX_ROWS = env.int("FACILITY_IMPORT_MAX_ROWS", default=200_000)
FACILITY_IMPORT_MAX_VERTICES = env.int("FACILITY_IMPORT_MAX_VERTICES", default=100_000)

# Swap matching (exchanges.matching): the shortest stay worth suggesting, whether a household may be
# suggested a stay inside its own région (no, by default: swaps are between régions), and how many
# suggestions each home keeps.
MATCHING_MIN_NIGHTS = env.int("MATCHING_MIN_NIGHTS", default=5)
MATCHING_CROSS_REGION = env.bool("MATCHING_CROSS_REGION", default=True)
MATCHING_SUGGESTIONS = 20
# Homes per pair or cycle of the monthly swap clearing (exchanges/clearing): 3, or 4 as a setting.
CLEARING_MAX_LENGTH = env.int("CLEARING_MAX_LENGTH", default=3)

# Solidarity nights (exchanges/nights): the welcome credit of every agent's account, and whether hosting a
# household N nights earns N (the default) or N × its size (if the body decides so).
NIGHTS_WELCOME_CREDIT = env.int("NIGHTS_WELCOME_CREDIT", default=7)
NIGHTS_PER_PERSON = env.bool("NIGHTS_PER_PERSON", default=False)

SILENCED_SYSTEM_CHECKS = [
    # Debian 12 ships GDAL 3.6; user-supplied SRS/WKT never reaches django.contrib.gis.gdal (uploads go
    # through pyogrio, which bundles a current GDAL), so the GDAL < 3.9 warning does not apply.
    "gis.W001",
]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"kv": {"()": "marketplace.core.logging.KeyValueFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces these (they print the full URL, query string included).
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "daphne.server": {"level": "WARNING"},
        "daphne.http_protocol": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
    },
}

# Vouchers (local_offers/vouchers): Ed25519 keys signing the QR tokens, as "kid:base64url of the 32-byte private
# key" entries, the first signs and every one is published (rotation: put the new key first, drop the old one
# once the vouchers it signed are over). Unset: a development key generated once into VOUCHER_DEV_KEY_FILE
# (under var/, never committed). Production refuses to sign without VOUCHER_SIGNING_KEYS.
VOUCHER_SIGNING_KEYS: list[str] = env.list("VOUCHER_SIGNING_KEYS", default=[])
VOUCHER_DEV_KEY_FILE: Path | None = VAR_DIR / "keys" / "voucher_signing.key"
