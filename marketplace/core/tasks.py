"""Background tasks of the platform itself (Procrastinate, on the same PostgreSQL)."""

import datetime as dt
import logging

from django.utils import timezone
from procrastinate.contrib.django import app

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
