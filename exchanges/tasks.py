"""Daily: homes follow their owners' eligibility (paused when it is lost, back when it returns)."""

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from exchanges.services import homes_follow_eligibility

logger = logging.getLogger(__name__)


@app.periodic(cron="15 0 * * *", periodic_id="homes_follow_eligibility")
@app.task(queue="default", queueing_lock="homes_follow_eligibility", pass_context=False)
def homes_follow_eligibility_task(timestamp: int) -> None:
    paused, resumed = homes_follow_eligibility(today=timezone.localdate())
    logger.info("homes follow eligibility", extra={"paused": len(paused), "resumed": len(resumed)})


@app.periodic(cron="30 7 * * *", periodic_id="saved_search_alerts")
@app.task(queue="default", queueing_lock="saved_search_alerts", pass_context=False)
def saved_search_alerts_task(timestamp: int) -> None:
    from exchanges.favourites import saved_search_alerts_send

    logger.info("saved search alerts", extra={"sent": saved_search_alerts_send()})
