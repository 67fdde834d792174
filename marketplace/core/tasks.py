"""Background tasks of the platform itself (Procrastinate, on the same PostgreSQL)."""

import datetime as dt
import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from marketplace.core import storage
from marketplace.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@app.periodic(cron="* * * * *", periodic_id="heartbeat")
@app.task(queue="default", queueing_lock="heartbeat", pass_context=False)
def heartbeat(timestamp: int) -> None:
    """Every minute: record that the worker is alive and keep only a day of beats."""
    now = timezone.now()
    WorkerHeartbeat.objects.create(at=now)
    WorkerHeartbeat.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    logger.info("worker heartbeat", extra={"scheduled_at": timestamp})


@app.periodic(cron="50 4 * * *", periodic_id="orphan_files_sweep")
@app.task(queue="default", queueing_lock="orphan_files_sweep", pass_context=False)
def orphan_files_sweep_task(timestamp: int) -> None:
    """Every night: the files no row names any more (see marketplace.core.storage)."""
    removed = storage.orphan_files_sweep()
    logger.info("orphan files removed", extra={"count": removed})
