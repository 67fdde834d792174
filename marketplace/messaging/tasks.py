"""Messaging's housekeeping in the worker: files uploaded and never sent are removed every hour."""

import logging

from procrastinate.contrib.django import app

from marketplace.messaging import services

logger = logging.getLogger(__name__)


@app.periodic(cron="40 * * * *", periodic_id="attachments_purge_unsent")
@app.task(queue="default", queueing_lock="attachments_purge_unsent", pass_context=False)
def attachments_purge_unsent_task(timestamp: int) -> None:
    purged = services.attachments_purge_unsent()
    logger.info("unsent attachments purged", extra={"count": purged})
