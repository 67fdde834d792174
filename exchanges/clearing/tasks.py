"""On the first day of each month at 06:00: the clearing run (exchanges.clearing.services.clearing_run)."""

import logging

from procrastinate.contrib.django import app

from exchanges.clearing.services import clearing_run

logger = logging.getLogger(__name__)


@app.periodic(cron="0 6 1 * *", periodic_id="clearing_monthly")
@app.task(queue="default", queueing_lock="clearing_monthly", pass_context=False)
def clearing_monthly_task(timestamp: int) -> None:
    run = clearing_run(actor=None)
    logger.info("clearing run", extra={"run": run.pk, "households": run.households, "gap": run.gap})
