"""The Procrastinate worker: the periodic heartbeat is registered, and a real worker process runs it."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from marketplace.core.models import WorkerHeartbeat
from marketplace.core.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_heartbeat_is_a_periodic_task_every_minute():
    periodic = {key[1]: task for key, task in app.periodic_registry.periodic_tasks.items()}
    assert periodic["heartbeat"].cron == "* * * * *"
    assert periodic["heartbeat"].task is heartbeat


@pytest.mark.django_db
def test_heartbeat_records_a_beat_and_keeps_one_day():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)):
        heartbeat(timestamp=0)
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)):
        heartbeat(timestamp=0)
        heartbeat(timestamp=0)
    beats = list(WorkerHeartbeat.objects.values_list("at", flat=True))
    assert len(beats) == 2
    assert all(at.date() == dt.date(2026, 11, 22) for at in beats)


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_a_deferred_job(client):
    # procrastinate types a periodic task's defer() without the timestamp its scheduler passes.
    job_id = heartbeat.defer(timestamp=int(timezone.now().timestamp()))  # type: ignore[call-arg]
    assert ProcrastinateJob.objects.get(id=job_id).status == "todo"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert ProcrastinateJob.objects.get(id=job_id).status == "succeeded"
    # The worker may also have deferred and run this minute's periodic heartbeat on start.
    assert WorkerHeartbeat.objects.count() >= 1
    assert client.get("/api/v1/health").json()["last_worker_heartbeat"] is not None
