from .base import *
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    # In memory, but a reader per open, as on disk (tests/storage.py).
    "default": {"BACKEND": "tests.storage.ReaderPerOpenInMemoryStorage"},
    "private": {"BACKEND": "tests.storage.ReaderPerOpenInMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several test runs may share one cluster (two developers, or CI beside a dev server): TEST_DB_SUFFIX
# gives each its own test database.
DATABASES["default"]["TEST"] = {"NAME": "test_reciproque" + env.str("TEST_DB_SUFFIX", default="")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# tests/conftest.py points CHANNEL_LAYERS at a real Redis (REDIS_URL, or one it starts under var/).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
