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


@app.task(queue="default", pass_context=False)
def suggestions_refresh_task(home_ids: list[int]) -> None:
    """After a home, a period or a wish changed: the suggestions around those homes."""
    from exchanges.matching.services import suggestions_refresh

    logger.info(
        "suggestions refreshed",
        extra={"homes": len(home_ids), "written": suggestions_refresh(home_ids=home_ids)},
    )


@app.periodic(cron="0 1 * * *", periodic_id="suggestions_refresh_all")
@app.task(queue="default", queueing_lock="suggestions_refresh_all", pass_context=False)
def suggestions_refresh_all_task(timestamp: int) -> None:
    """Nightly, after homes followed their owners' eligibility: every home's best suggestions."""
    from exchanges.matching.services import suggestions_refresh

    logger.info("suggestions refreshed", extra={"written": suggestions_refresh()})
