"""Every night: issued vouchers whose window ended become expired (a thin call of the service)."""

import logging

from procrastinate.contrib.django import app

from local_offers.vouchers.services import vouchers_expire

logger = logging.getLogger(__name__)


@app.periodic(cron="5 0 * * *", periodic_id="vouchers_expire")
@app.task(queue="default", queueing_lock="vouchers_expire", pass_context=False)
def vouchers_expire_task(timestamp: int) -> None:
    logger.info("vouchers expired", extra={"expired": vouchers_expire()})
