"""Production settings: Django's deployment checklist passes, secrets are required, security headers are sent."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_with_prod_settings(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The test process sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never does.
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "reciproque.example.fr",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.fr:587",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
r = Client().get("/api/v1/openapi.json", secure=True, headers={"host": "reciproque.example.fr"})
print(json.dumps({"status": r.status_code, "headers": dict(r.headers), "cookies": list(r.cookies)}))
"""


class TestProductionSettings:
    def test_deploy_checklist_passes_with_no_warning(self):
        result = run_with_prod_settings("manage.py", "check", "--deploy", "--fail-level", "WARNING")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout

    def test_refuses_to_start_without_a_real_secret_key(self):
        for key in ("", "short", "django-insecure-" + "x" * 60):
            result = run_with_prod_settings("manage.py", "check", SECRET_KEY=key)
            assert result.returncode != 0
            assert "SECRET_KEY must be set" in result.stderr

    def test_plain_http_is_redirected_to_https(self):
        script = HEADERS_SCRIPT.replace("secure=True", "secure=False")
        result = run_with_prod_settings("-c", script)
        assert result.returncode == 0, result.stderr
        response = json.loads(result.stdout.strip().splitlines()[-1])
        assert response["status"] == 301
        assert response["headers"]["Location"] == "https://reciproque.example.fr/api/v1/openapi.json"

    def test_security_headers_are_sent(self):
        result = run_with_prod_settings("-c", HEADERS_SCRIPT)
        assert result.returncode == 0, result.stderr
        response = json.loads(result.stdout.strip().splitlines()[-1])
        headers = response["headers"]
        assert response["status"] == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self';" in csp + ";"
        assert "Server" not in headers


def test_collectstatic_with_production_storage(tmp_path):
    """The Docker image runs this: hashed names and compression must process every vendored file."""
    result = run_with_prod_settings(
        "manage.py", "collectstatic", "--no-input", "-v", "0", DJANGO_STATIC_ROOT=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr[-2000:]
