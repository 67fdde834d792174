"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): check they say what make run does."""

import re
import subprocess
import tomllib
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

    def test_serve_script_runs_the_asgi_app_with_uvicorn(self):
        serve = (ROOT / "scripts" / "serve.sh").read_text()
        assert "uvicorn marketplace.asgi:application" in serve
        assert "--ws websockets-sansio" in serve  # Channels websockets
        assert "--no-access-log" in serve  # no client IPs in logs
        assert "--ws-max-size 1048576" in serve

    def test_web_replicas_are_asgi_and_share_database_and_redis(self):
        services = compose()["services"]
        for name in ("web1", "web2"):
            web = services[name]
            assert web["command"] == ["bash", "scripts/serve.sh"]  # the same server as `make run`
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


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def locked(path: str) -> dict[str, list[str]]:
    """Each requirement of a uv lock file (`name==version`, normalised name) with its `--hash=` options."""
    pins: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / path).read_text()):
        if re.match(r"[A-Za-z0-9]", block):
            requirement = block.split()[0]
            pins[normalise(requirement)] = [requirement, *re.findall(r"--hash=sha256:[0-9a-f]{64}", block)]
    return pins


def normalise(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


class TestDockerfile:
    def test_uses_python_311_and_serves_asgi_as_a_plain_user(self):
        instructions = dockerfile_instructions()
        assert instructions[0].startswith("FROM python:3.11-")
        assert 'CMD ["bash", "scripts/serve.sh"]' in instructions
        assert "ENV HOST=0.0.0.0 PORT=8000" in instructions
        assert "USER reciproque" in instructions

    def test_installs_only_the_production_lock_checking_every_hash(self):
        instructions = dockerfile_instructions()
        assert "COPY requirements-prod.lock ./" in instructions
        syncs = [line for line in instructions if "uv pip sync" in line]
        assert len(syncs) == 1
        assert "--require-hashes" in syncs[0]
        assert re.search(r"uv pip sync [^&]*requirements-prod\.lock", syncs[0])
        for line in instructions:
            assert "requirements.lock" not in line, line
            assert not re.search(r"pip install .*-e \.", line), line

    def test_the_image_compiles_the_matching_kernels_once_at_build(self):
        instructions = dockerfile_instructions()
        assert any("compact import warm_up; warm_up()" in line for line in instructions)

    def test_build_context_leaves_the_developer_machine_out(self):
        ignored = (ROOT / ".dockerignore").read_text().split()
        assert {".venv", "var", ".git", ".env"} <= set(ignored)


class TestProductionLock:
    def test_every_requirement_is_pinned_with_its_hashes(self):
        pins = locked("requirements-prod.lock")
        assert pins
        for name, (requirement, *hashes) in pins.items():
            assert "==" in requirement, name
            assert hashes, name

    def test_holds_every_runtime_dependency_and_no_dev_only_package(self):
        pins = locked("requirements-prod.lock")
        runtime = {normalise(r) for r in pyproject()["dependencies"]}
        dev = {normalise(r) for r in pyproject()["optional-dependencies"]["dev"]}
        assert runtime <= set(pins)
        assert not (dev | {"pytest", "mypy", "ruff", "django-stubs", "coverage"}) & set(pins)

    def test_pins_the_versions_the_tests_run_with(self):
        dev_lock = locked("requirements.lock")
        for name, (requirement, *_hashes) in locked("requirements-prod.lock").items():
            assert dev_lock[name][0] == requirement, name

    def test_both_locks_match_pyproject(self):
        check = subprocess.run(
            ["bash", "scripts/lock.sh", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout
