"""Every night: the ledger of solidarity nights sums to zero and every balance matches its movements."""

import logging

from procrastinate.contrib.django import app

from exchanges.nights.services import ledger_check

logger = logging.getLogger(__name__)


@app.periodic(cron="17 3 * * *", periodic_id="nights_ledger_check")
@app.task(queue="default", queueing_lock="nights_ledger_check", pass_context=False)
def nights_ledger_check_task(timestamp: int) -> None:
    logger.info("nights ledger check", extra=ledger_check())
