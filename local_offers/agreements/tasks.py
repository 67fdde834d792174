"""Every morning: agreements whose validity began or ended, and the expiry reminders (a thin call)."""

import logging

from procrastinate.contrib.django import app

from local_offers.agreements.services import agreements_tick

logger = logging.getLogger(__name__)


@app.periodic(cron="15 5 * * *", periodic_id="agreements_tick")
@app.task(queue="default", queueing_lock="agreements_tick", pass_context=False)
def agreements_tick_task(timestamp: int) -> None:
    logger.info("agreements tick", extra=agreements_tick())
