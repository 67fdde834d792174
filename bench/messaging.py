"""Benchmark: real-time messaging at 1,000 sockets. End-to-end latency, loss, duplicates, memory per socket.

For each setup (one uvicorn process, then two, as `make run` serves with Redis: scripts/serve.sh with
WEB_WORKERS; each with the channels_redis core layer and the pub/sub one, side by side in the same run):
- a redis-server of its own and the web server(s) on free loopback ports, development settings with DEBUG
  off, on a database of its own (`reciproque_bench_messaging`: migrated, N users with a signed-in session
  each, every user in 5 direct conversations with random others);
- a separate client process (asyncio + uvloop + the `websockets` package) opens N authenticated sockets
  (cookies, same-origin), then sends RATE messages per second for DURATION seconds, each over the socket of
  a random sender in one of its conversations (`message.send`, the text carrying the send time);
- end-to-end latency: from the sender's frame to the recipient's `message.new` (same host clock), p50/p95/p99;
- lost: acknowledged messages their recipient never received (the run waits while acks or deliveries still
  come, and 20 s after the last one); duplicates:
  a `message.new` id seen twice on one socket; both must be 0;
- memory: the server processes' RSS with N idle sockets minus with 10, per socket;
- CPU: seconds of CPU used by the servers and by the client during the load, per second (the client must
  not be the bottleneck), and the servers', Redis's and PostgreSQL's (the postmaster and its backends, when
  the database runs on this machine) CPU per message acknowledged (milliseconds).

Run: `.venv/bin/python -m bench.messaging [--clients 1000] [--rate 500] [--duration 60] [--only core|pubsub]
[--processes 1,2]` (a short trial: `--clients 200 --rate 100 --duration 10`).
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import ROOT, free_port, serve

BENCH_DB = "reciproque_bench_messaging"
SEED = 2026
CONVERSATIONS_PER_USER = 5
WARM_SOCKETS = 10
DRAIN_SECONDS = 20.0
DRAIN_MAX = 120.0  # seconds after the last send at most: beyond, what is not acked is counted as such


# ---- Set-up: database, users, sessions, conversations ----
def base_url() -> str:
    from bench.search import base_url as url

    return url()


def prepare(url: str, users: int) -> list[dict[str, Any]]:
    """The bench database, migrated, with `users` users, a session each, and their conversations."""
    import psycopg

    with psycopg.connect(url.replace("postgis://", "postgresql://") + "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    env = {**os.environ, "DATABASE_URL": url + BENCH_DB, "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    code = f"""
import json, random
from marketplace.core.sessions import SessionStore
from django.db import connection
from marketplace.accounts.models import User
from marketplace.messaging.models import Conversation, Message, Participant
with connection.cursor() as c:
    c.execute("TRUNCATE messaging_message, messaging_participant, messaging_conversation, "
              "notifications_notification, procrastinate_jobs CASCADE")
    c.execute("DELETE FROM django_session")
User.objects.filter(email__endswith="@bench-messaging.invalid").delete()
users = User.objects.bulk_create([
    User(email=f"u{{n}}@bench-messaging.invalid", display_name=f"U{{n}}", password="!") for n in range({users})
])
rng = random.Random({SEED})
pairs = set()
for u in users:
    while sum(1 for p in pairs if u.pk in p) < {CONVERSATIONS_PER_USER}:
        other = rng.choice(users)
        if other.pk != u.pk:
            pairs.add((min(u.pk, other.pk), max(u.pk, other.pk)))
conversations = Conversation.objects.bulk_create([
    Conversation(kind=Conversation.Kind.DIRECT, direct_key=f"{{a}}:{{b}}") for a, b in sorted(pairs)
])
Participant.objects.bulk_create([
    Participant(conversation=c, user_id=uid) for c, pair in zip(conversations, sorted(pairs)) for uid in pair
])
out = []
by_user = {{u.pk: [] for u in users}}
for c, (a, b) in zip(conversations, sorted(pairs)):
    by_user[a].append([c.pk, b])
    by_user[b].append([c.pk, a])
for u in users:
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    out.append({{"user": u.pk, "cookie": s.session_key, "conversations": by_user[u.pk]}})
print(json.dumps(out))
"""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr)
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-bench-", dir=ROOT / "var")
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.dir,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- Server processes: memory and CPU of the whole tree (uvicorn's supervisor and workers) ----
def tree(pid: int) -> list[int]:
    pids = [pid]
    for p in pids:
        children = Path(f"/proc/{p}/task/{p}/children")
        if children.exists():
            pids += [int(c) for c in children.read_text().split()]
    return pids


def rss_kib(pid: int) -> int:
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            pass
    return total / ticks


# ---- The client process: N sockets, the load, what each socket received ----
async def client_main(spec: dict[str, Any]) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    port, cookie_name = spec["port"], spec["cookie_name"]
    users: list[dict[str, Any]] = spec["users"]
    rate, duration = spec["rate"], spec["duration"]
    sockets: dict[int, Any] = {}
    latencies: list[float] = []
    received: dict[int, set[int]] = {u["user"]: set() for u in users}
    duplicates = 0
    acked: dict[str, tuple[int, int]] = {}  # client_id -> (message id, recipient)
    errors: list[str] = []
    pending: dict[str, int] = {}  # client_id -> recipient
    stopping = False

    async def reader(user: int, ws: Any) -> None:
        try:
            await read(user, ws)
        except ConnectionClosed as closed:
            if not stopping:
                errors.append(f"closed {closed.rcvd.code if closed.rcvd else None}")

    async def read(user: int, ws: Any) -> None:
        nonlocal duplicates
        async for raw in ws:
            now = time.monotonic_ns()
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "message.new":
                message = frame["message"]
                if frame["id"] in received[user]:
                    duplicates += 1
                    continue
                if message["sender"] != user:
                    received[user].add(frame["id"])
                    latencies.append((now - int(message["text"])) / 1e6)
                else:
                    received[user].add(frame["id"])
            elif kind == "message.ack":
                recipient = pending.pop(frame["client_id"], None)
                if recipient is not None:
                    acked[frame["client_id"]] = (frame["id"], recipient)
            elif kind == "error":
                errors.append(frame.get("code", "?"))

    async def open_one(user: dict[str, Any]) -> None:
        for attempt in range(5):
            try:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"{cookie_name}={user['cookie']}"},
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=None,
                )
                hello = json.loads(await ws.recv())
                assert hello["type"] == "hello", hello
                sockets[user["user"]] = ws
                readers.append(asyncio.ensure_future(reader(user["user"], ws)))
                return
            except (TimeoutError, OSError) as error:
                if attempt == 4:
                    raise
                errors.append(f"connect: {error}")
                await asyncio.sleep(1)

    readers: list[asyncio.Future[None]] = []
    limit = asyncio.Semaphore(50)

    async def bounded(user: dict[str, Any]) -> None:
        async with limit:
            await open_one(user)

    def signal(word: str) -> str:
        print(word, flush=True)
        return sys.stdin.readline().strip()

    await asyncio.gather(*(bounded(u) for u in users[:WARM_SOCKETS]))
    await asyncio.to_thread(signal, "WARM")
    started = time.monotonic()
    await asyncio.gather(*(bounded(u) for u in users[WARM_SOCKETS:]))
    connect_seconds = time.monotonic() - started
    await asyncio.to_thread(signal, "READY")

    rng = random.Random(SEED)
    by_user = {u["user"]: u["conversations"] for u in users}
    ids = list(by_user)
    total = int(rate * duration)
    cpu0 = time.process_time()
    t0 = time.monotonic()
    late = 0.0
    for n in range(total):
        due = t0 + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            late = max(late, -delay)
        sender = rng.choice(ids)
        conversation, recipient = rng.choice(by_user[sender])
        client_id = uuid.uuid4().hex
        pending[client_id] = recipient
        await sockets[sender].send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "text": str(time.monotonic_ns()),
                    "client_id": client_id,
                }
            )
        )
    send_seconds = time.monotonic() - t0

    def missing() -> int:
        return sum(1 for mid, rcpt in acked.values() if mid not in received[rcpt])

    # Drain: while the server still works through a backlog (acks or deliveries keep coming), wait; give up
    # DRAIN_SECONDS after the last progress.
    progress, last_progress = (-1, -1), time.monotonic()
    while pending or missing():
        now_progress = (len(acked), sum(len(r) for r in received.values()))
        if now_progress != progress:
            progress, last_progress = now_progress, time.monotonic()
        elif (
            time.monotonic() - last_progress > DRAIN_SECONDS
            or time.monotonic() - t0 > send_seconds + DRAIN_MAX
        ):
            break
        await asyncio.sleep(0.5)
    client_cpu = time.process_time() - cpu0
    stopping = True
    for ws in sockets.values():
        await ws.close()
    for task in readers:
        task.cancel()
    print(
        "RESULT "
        + json.dumps(
            {
                "latencies": latencies,
                "sent": total,
                "acked": len(acked),
                "unacked": len(pending),
                "lost": missing(),
                "duplicates": duplicates,
                "errors": errors[:20],
                "error_count": len(errors),
                "connect_seconds": connect_seconds,
                "send_seconds": send_seconds,
                "drain_seconds": time.monotonic() - t0 - send_seconds,
                "late_max_s": late,
                "client_cpu": client_cpu,
            }
        ),
        flush=True,
    )


def client_entry() -> None:
    spec = json.loads(sys.stdin.readline())
    import uvloop

    uvloop.run(client_main(spec))


# ---- One setup ----
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def postgres_pid(url: str) -> int | None:
    """The postmaster of the bench's PostgreSQL when it runs on this machine (its backends are its children)."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgis://", "postgresql://") + BENCH_DB) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
        return int((Path(row[0]) / "postmaster.pid").read_text().split()[0]) if row else None
    except (OSError, ValueError, psycopg.Error):
        return None


def measure(
    url: str, users: list[dict[str, Any]], layer: str, processes: int, rate: int, duration: int
) -> dict[str, Any]:
    redis = Redis()
    port = free_port()
    try:
        server = serve(
            port,
            {
                "DATABASE_URL": url + BENCH_DB,
                "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
                "DEBUG": "false",
                "LOG_LEVEL": "WARNING",
                "REDIS_URL": redis.url,
                "CHANNEL_LAYER": layer,
                "WEB_WORKERS": str(processes),
            },
            log=ROOT / "var" / "bench-messaging-web.log",
            timeout=180,  # two processes starting on a loaded 2-core machine took more than the default 60 s
        )
    except BaseException:  # not started: its Redis goes too
        redis.stop()
        raise
    client = subprocess.Popen(
        [sys.executable, "-m", "bench.messaging", "--client"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdin is not None
    assert client.stdout is not None
    try:
        spec = {
            "port": port,
            "cookie_name": "sessionid",  # SESSION_COOKIE_NAME of the development settings
            "users": users,
            "rate": rate,
            "duration": duration,
        }
        client.stdin.write(json.dumps(spec) + "\n")
        client.stdin.flush()

        def expect(word: str) -> None:
            line = client.stdout.readline().strip()  # type: ignore[union-attr]
            if line != word:
                raise RuntimeError(f"client said {line!r}, expected {word}")

        expect("WARM")
        time.sleep(2)
        warm_rss = rss_kib(server.pid)
        client.stdin.write("go\n")
        client.stdin.flush()
        expect("READY")
        time.sleep(3)
        idle_rss = rss_kib(server.pid)
        pg = postgres_pid(url)
        pg_cpu0 = cpu_seconds(pg) if pg else 0.0
        cpu0, redis_cpu0, t0 = cpu_seconds(server.pid), cpu_seconds(redis.proc.pid), time.monotonic()
        client.stdin.write("go\n")
        client.stdin.flush()
        line = ""
        while not line.startswith("RESULT "):
            line = client.stdout.readline()
            if not line:
                raise RuntimeError("the client process ended without a result")
        elapsed = time.monotonic() - t0
        server_cpu = cpu_seconds(server.pid) - cpu0
        redis_cpu = cpu_seconds(redis.proc.pid) - redis_cpu0
        pg_cpu = cpu_seconds(pg) - pg_cpu0 if pg else float("nan")
        result: dict[str, Any] = json.loads(line[len("RESULT ") :])
        peak_rss = rss_kib(server.pid)
    finally:
        client.kill()
        client.wait(timeout=20)
        server.terminate()
        try:
            server.wait(timeout=30)
            stopped = "stopped"
        except subprocess.TimeoutExpired:  # reported: a server that does not stop is a defect
            for pid in reversed(tree(server.pid)):
                os.kill(pid, 9)
            server.wait(timeout=30)
            stopped = "DID NOT STOP within 30 s of SIGTERM (killed)"
        redis.stop()
    sockets = len(users) - WARM_SOCKETS
    result.update(
        per_socket_kib=(idle_rss - warm_rss) / sockets,
        idle_rss_mib=idle_rss / 1024,
        peak_rss_mib=peak_rss / 1024,
        server_cpu_per_s=server_cpu / elapsed,
        server_cpu_per_message_ms=server_cpu / max(1, result["acked"]) * 1000,
        redis_cpu_per_message_ms=redis_cpu / max(1, result["acked"]) * 1000,
        pg_cpu_per_message_ms=pg_cpu / max(1, result["acked"]) * 1000,
        pg_cpu_per_s=pg_cpu / elapsed,
        client_cpu_per_s=result["client_cpu"] / elapsed,
        stopped=stopped,
    )
    return result


def report(label: str, r: dict[str, Any]) -> None:
    lat = r["latencies"]
    print(
        f"{label:<30} p50={percentile(lat, 0.50):7.1f} ms p95={percentile(lat, 0.95):7.1f} ms "
        f"p99={percentile(lat, 0.99):7.1f} ms max={max(lat, default=float('nan')):7.0f} ms | "
        f"sent {r['sent']} acked {r['acked']} unacked {r['unacked']} lost {r['lost']} duplicates {r['duplicates']}"
        f" errors {r['error_count']} | {r['per_socket_kib']:5.1f} KiB/socket (RSS idle {r['idle_rss_mib']:.0f} MiB,"
        f" end {r['peak_rss_mib']:.0f} MiB) | CPU/s server {r['server_cpu_per_s']:.2f} client "
        f"{r['client_cpu_per_s']:.2f}, per message server {r['server_cpu_per_message_ms']:.2f} ms Redis "
        f"{r['redis_cpu_per_message_ms']:.2f} ms PostgreSQL {r['pg_cpu_per_message_ms']:.2f} ms "
        f"({r['pg_cpu_per_s']:.2f} s/s) | connect {r['connect_seconds']:.1f} s, drain {r['drain_seconds']:.0f} s, sender late by up to "
        f"{r['late_max_s'] * 1000:.0f} ms"
    )
    if r["errors"] or r["stopped"] != "stopped":
        print(f"{'':<30} server {r['stopped']}; first errors: {r['errors'][:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=500, help="messages per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--only", choices=["core", "pubsub"], help="one channel layer (default: both)")
    parser.add_argument("--processes", default="1,2", help="web processes per setup, e.g. 1,2")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_entry()
        return
    url = base_url()
    started = time.monotonic()
    users = prepare(url, args.clients)
    print(
        f"Messaging benchmark: {args.clients} sockets, {args.rate} messages/s for {args.duration} s between random"
        f" pairs ({CONVERSATIONS_PER_USER} conversations each), uvicorn as make run serves it, 2 cores"
        f" (set-up {time.monotonic() - started:.0f} s)"
    )
    layers = [args.only] if args.only else ["core", "pubsub"]
    results = {}
    for processes in [int(p) for p in args.processes.split(",")]:
        for layer in layers:
            label = f"{processes} process{'es' if processes > 1 else ''}, {layer} layer"
            results[label] = r = measure(url, users, layer, processes, args.rate, args.duration)
            report(label, r)
    if len(results) > 1:
        best = min(results, key=lambda k: percentile(results[k]["latencies"], 0.99))
        base = next(iter(results))
        print(
            f"lowest p99: {best} ({percentile(results[best]['latencies'], 0.99):.1f} ms) vs {base} "
            f"({percentile(results[base]['latencies'], 0.99):.1f} ms): "
            f"{percentile(results[base]['latencies'], 0.99) / percentile(results[best]['latencies'], 0.99):.2f}x"
        )
    if statistics.mean(r["lost"] + r["duplicates"] for r in results.values()):
        print("LOST OR DUPLICATED MESSAGES: see the lines above")


if __name__ == "__main__":
    main()
