"""The notification e-mails, sent by the worker: one immediate e-mail per job, the digest every morning; and
the notifications of events recorded later (a message sent): one job per event, or one for the events of
several writes made together (the websocket's sends of a process: marketplace.adb.GroupCommit)."""

import logging
from typing import Any

from procrastinate.contrib.django import app

from marketplace.notifications import services

logger = logging.getLogger(__name__)


@app.task(queue="default", pass_context=False)
def notification_mail_task(notification_id: int) -> None:
    services.notification_mail(notification_id=notification_id)


@app.task(queue="default", pass_context=False)
def notifications_record_task(event: str, payload: dict[str, Any], recipients: list[int]) -> None:
    services.notifications_record_deferred(event=event, payload=payload, recipients=recipients)


@app.task(queue="default", pass_context=False)
def notifications_record_many_task(events: list[dict[str, Any]]) -> None:
    services.notifications_record_deferred_many(events=events)


@app.periodic(cron="0 7 * * *", periodic_id="notifications_digest")
@app.task(queue="default", queueing_lock="notifications_digest", pass_context=False)
def notifications_digest_task(timestamp: int) -> None:
    sent = services.notifications_digest_send()
    logger.info("notification digests sent", extra={"count": sent})
