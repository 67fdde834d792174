"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): check they say what make run does."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


class TestCompose:
    def test_names_the_services_of_the_stack(self):
        services = compose()["services"]
        assert {"db", "redis", "web1", "web2", "worker", "migrate", "proxy"} <= set(services)
        assert services["db"]["image"].startswith("postgis/postgis:15-")
        assert services["redis"]["image"].startswith("redis:")

    def test_every_long_running_service_has_a_health_check(self):
        for name, service in compose()["services"].items():
            if name != "migrate":
                assert service["healthcheck"]["test"], name

    def test_database_lives_in_a_volume(self):
        data = compose()
        assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]
        assert "pgdata" in data["volumes"]

    def test_web_replicas_are_asgi_and_share_database_and_redis(self):
        services = compose()["services"]
        for name in ("web1", "web2"):
            web = services[name]
            assert web["command"][0] == "daphne"
            assert web["command"][-1] == "marketplace.asgi:application"
            assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
            assert web["environment"]["DATABASE_URL"].startswith("postgis://")
            assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "marketplace.settings.prod"
            assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    def test_worker_runs_procrastinate_like_make_run(self):
        worker = compose()["services"]["worker"]
        assert worker["command"][:4] == ["python", "manage.py", "procrastinate", "worker"]
        assert "procrastinate worker" in (ROOT / "scripts" / "run.sh").read_text()

    def test_proxy_balances_both_replicas(self):
        nginx = (ROOT / "deploy" / "nginx.conf").read_text()
        assert "server web1:8000" in nginx
        assert "server web2:8000" in nginx
        assert "Upgrade $http_upgrade" in nginx


class TestDockerfile:
    def test_uses_the_same_python_and_lock_file(self):
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert re.search(r"^FROM python:3\.11-", dockerfile, re.M)
        assert "requirements.lock" in dockerfile
        assert "uv pip sync" in dockerfile
        assert 'CMD ["daphne"' in dockerfile
        assert "USER reciproque" in dockerfile
