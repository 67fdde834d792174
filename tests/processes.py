"""Real processes for the tests that need them: a redis-server that can be stopped and started again on its
port, and the web server started the way `make run` starts it (scripts/serve.sh), against the test database.

Waits are on conditions (a PONG, an HTTP 200, a refused connection) with bounded deadlines, never sleeps
sized for a fast machine.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Any, *, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)


class RedisServer:
    """redis-server on 127.0.0.1:`port` (free by default), nothing saved; stop() and start() keep the port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        (ROOT / "var").mkdir(exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="redis-", dir=ROOT / "var"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, timeout: float = 20) -> "RedisServer":
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        args += ["--save", "", "--appendonly", "no", "--protected-mode", "yes"]
        self.proc = subprocess.Popen([server, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(self.answers, timeout=timeout, what=f"redis-server on port {self.port}")
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 20) -> None:
        """Really stopped: the process is gone and the port refuses connections."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
            self.proc = None
        wait_until(lambda: not self.answers(), timeout=timeout, what=f"port {self.port} closed")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def database_url() -> str:
    """The database the tests of this process use (with pytest-xdist, the worker's own)."""
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgis://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class WebServer:
    """scripts/serve.sh (uvicorn, as `make run`) on a free loopback port, test settings, the test database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "var" / f"web-{self.port}.log"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def start(self, timeout: float = 90) -> "WebServer":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
            "DATABASE_URL": database_url(),
            "DB_POOL_SIZE": "4",
            "WEB_WORKERS": "1",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            **self.env,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server runs as in production
        with self.log.open("wb") as log:  # the server writes to its own copy of the file
            self.proc = subprocess.Popen(
                ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the web server exited ({self.proc.returncode}):\n{self.output()}")
            return self.get("/api/v1/geo/regions")[0] == 200

        try:
            wait_until(ready, timeout=timeout, what=f"web server on port {self.port}", interval=0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def request(self, method: str, path: str, body: Any = None, cookie: str | None = None) -> tuple[int, Any]:
        from django.conf import settings

        headers = {"Origin": self.origin, "Content-Type": "application/json"}
        if cookie is not None:
            token = "t" * 32  # any 32-character secret: the header repeats the cookie (double submit)
            headers["Cookie"] = (
                f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={token}"
            )
            headers["X-CSRFToken"] = token
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            data = response.read()
        except OSError:
            return 0, None
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, data.decode(errors="replace")

    def get(self, path: str, cookie: str | None = None) -> tuple[int, Any]:
        return self.request("GET", path, cookie=cookie)

    def stop(self, timeout: float = 20) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.proc = None
        self.log.unlink(missing_ok=True)
