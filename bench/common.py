"""What the HTTP benchmarks share: a free loopback port, and the web server started as `make run` starts it."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    port: int, env: dict[str, str], *, timeout: float = 60, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """scripts/serve.sh on 127.0.0.1:`port` with `env` added, once it answers a trivial API call; its output
    goes to `log` when given."""
    full = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), **env}
    with log.open("ab") if log else open(os.devnull, "wb") as out:
        # Its own process group, so that `stop` reaches uvicorn's worker processes too.
        proc = subprocess.Popen(
            ["bash", "scripts/serve.sh"], cwd=ROOT, env=full, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/geo/regions")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"the web server ({env}) did not answer on port {port}")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop a server started by `serve` and every worker process it forked: SIGTERM to its process group,
    then SIGKILL if it has not ended within `timeout` seconds (a killed master left its workers behind)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(
            ProcessLookupError
        ):  # the master is gone: what is left of its group goes too
            os.killpg(proc.pid, signal.SIGKILL)
        return
