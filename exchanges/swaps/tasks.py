"""Every quarter of an hour: reminders, expiries, eligibility, the start and end of confirmed swaps."""

import logging

from procrastinate.contrib.django import app

from exchanges.swaps.services import proposals_tick

logger = logging.getLogger(__name__)


@app.periodic(cron="*/15 * * * *", periodic_id="proposals_tick")
@app.task(queue="default", queueing_lock="proposals_tick", pass_context=False)
def proposals_tick_task(timestamp: int) -> None:
    logger.info("proposals tick", extra=proposals_tick())
