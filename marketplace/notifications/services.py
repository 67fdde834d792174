"""Every write of the notifications: one transaction per call.

`notifications_record` is what `marketplace.events.publish` calls for an event with a `topic`: the rows are
written in the caller's transaction, the live events leave after commit, and the e-mail jobs are deferred in
the same transaction (a rollback leaves no notification, no job, no mail).

E-mails: `immediate` topics are mailed by the worker (`notification_mail_task`), after the event's
`mail_delay` (messages: 10 minutes), and not at all if the notification was read meanwhile (the user saw the
message); `digest` topics go in one daily e-mail of what is still unread and not yet mailed; `off` never.
"""

import datetime as dt
import uuid
from dataclasses import asdict
from functools import cache, partial
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.events import Event, publish, registered_events
from marketplace.notifications import mail, selectors
from marketplace.notifications.events import NotificationNew, NotificationUnread
from marketplace.notifications.models import UNSWITCHABLE, Delivery, Notification, Preference, Topic

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST_MAX = 50


def notification_text(notification: Notification) -> str:
    """The one line of a notification, in the active language (an event no longer declared: its name)."""
    cls = registered_events().get(notification.event)
    if cls is None:
        return notification.event
    try:
        return cls(**notification.payload).text()
    except (TypeError, ValueError, LookupError):
        return notification.event


def notification_data(notification: Notification) -> dict[str, Any]:
    """A notification as the API and the socket show it."""
    return {
        "id": notification.pk,
        "topic": notification.topic,
        "event": notification.event,
        "text": notification_text(notification),
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def _push_unread(user_id: int) -> None:
    publish(NotificationUnread(id=uuid.uuid4().hex, unread=selectors.unread_count(user_id)), to=[user_id])


def notifications_record(evt: Event, recipients: list[int]) -> list[Notification]:
    """Store `evt` as a notification of each recipient (in the caller's transaction), push it after commit,
    defer its immediate e-mail. Called by marketplace.events.publish only.

    An event that is `recorded_later` (a message sent: the hot path) is instead one job deferred in the
    caller's transaction: the worker records it (notifications_record_deferred); a rollback leaves no job."""
    from marketplace.notifications.tasks import notifications_record_task

    if type(evt).recorded_later:
        notifications_record_task.defer(event=type(evt).name, payload=asdict(evt), recipients=recipients)
        return []
    return _record(evt, recipients)


@cache
def recorded_later_job(evt_class: type[Event]) -> tuple[str, str, int]:
    """(queue, task name, priority) of the job `notifications_record` defers for a `recorded_later` event, with
    the arguments `{"event", "payload", "recipients"}`: for a caller that defers it within its own SQL
    statement (the websocket's send: marketplace.messaging.services.message_send_live)."""
    from marketplace.notifications.tasks import notifications_record_task

    if not evt_class.recorded_later:
        raise ValueError(f"{evt_class.__name__} is recorded in the publishing transaction, not later")
    job = notifications_record_task.configure().job
    return job.queue, job.task_name, job.priority


@cache
def recorded_later_many_job(evt_class: type[Event]) -> tuple[str, str, int]:
    """(queue, task name, priority) of the job that records several `recorded_later` events at once, with the
    arguments `{"events": [{"event", "payload", "recipients"}…]}` (notifications_record_deferred_many): for a
    caller that writes several at once in its own SQL statement (the websocket's sends written together)."""
    from marketplace.notifications.tasks import notifications_record_many_task

    if not evt_class.recorded_later:
        raise ValueError(f"{evt_class.__name__} is recorded in the publishing transaction, not later")
    job = notifications_record_many_task.configure().job
    return job.queue, job.task_name, job.priority


def _record(evt: Event, recipients: list[int]) -> list[Notification]:
    from marketplace.notifications.tasks import notification_mail_task

    with transaction.atomic():
        topic = type(evt).topic
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    user_id=user_id, topic=topic, event=type(evt).name, payload=asdict(evt), link=evt.link()
                )
                for user_id in recipients
            ]
        )
        languages = dict(User.objects.filter(pk__in=recipients).values_list("pk", "preferred_language"))
        deliveries = {
            (p.user_id): p.delivery for p in Preference.objects.filter(user_id__in=recipients, topic=topic)
        }
        for row in rows:
            with translation.override(languages.get(row.user_id) or "fr"):
                publish(
                    NotificationNew(
                        id=f"notification:{row.pk}",
                        notification=notification_data(row),
                        unread=selectors.unread_count(row.user_id),
                    ),
                    to=[row.user_id],
                )
            delivery = (
                Delivery.IMMEDIATE if topic in UNSWITCHABLE else deliveries.get(row.user_id, "immediate")
            )
            if delivery == Delivery.IMMEDIATE and type(evt).mailed:
                notification_mail_task.configure(schedule_in={"seconds": type(evt).mail_delay}).defer(
                    notification_id=row.pk
                )
    return rows


def notifications_record_deferred_many(*, events: list[dict[str, Any]]) -> int:
    """`notifications_record_deferred` for each of `events` (`{"event", "payload", "recipients"}`), in their
    order, each in its own transaction (an event locks its recipients' read marks: one transaction for all
    would hold several conversations' at once). The job of the websocket's sends written together
    (marketplace.messaging.services._SEND_MANY_SQL): one job per batch instead of one per message, a good
    part of PostgreSQL's work per message (bench/messaging.py). Returns how many notifications were recorded."""
    return sum(notifications_record_deferred(**event) for event in events)


@transaction.atomic
def notifications_record_deferred(*, event: str, payload: dict[str, Any], recipients: list[int]) -> int:
    """The worker's half of a `recorded_later` event: its notifications for the recipients it is still news
    to (`Event.unseen_by`), pushed live and mailed as any other. Returns how many were recorded (none for an
    event no longer declared)."""
    cls = registered_events().get(event)
    if cls is None:
        return 0
    evt = cls(**payload)
    still = evt.unseen_by(recipients)
    recorded = len(_record(evt, still)) if still else 0
    evt.recorded()
    return recorded


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Raises NotificationNotFound (someone else's)."""
    notification = selectors.notification_get_for_actor(actor=actor, notification_id=notification.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _push_unread(actor.pk)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    marked = selectors.notifications_of(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        _push_unread(actor.pk)
    return marked


@transaction.atomic
def notifications_mark_read_matching(*, actor: User, event: str, payload: dict[str, Any]) -> int:
    """Mark read the actor's notifications of `event` whose payload contains `payload` (the app that owns the
    object says it was seen: the messaging when a conversation is read)."""
    marked = (
        selectors.notifications_of(actor)
        .filter(event=event, payload__contains=payload, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    if marked:
        _push_unread(actor.pk)
    return marked


@transaction.atomic
def preferences_set(*, actor: User, deliveries: dict[str, str]) -> dict[str, str]:
    """Set the delivery of some topics. Raises InvalidField (unknown topic or delivery; security off or delayed:
    security e-mails cannot be switched off). Nothing is written if one is refused."""
    for topic, delivery in deliveries.items():
        if topic not in Topic.values:
            raise InvalidField(topic, _("Sujet inconnu."))
        if delivery not in Delivery.values:
            raise InvalidField(topic, _("Choix inconnu (immediate, digest ou off)."))
        if topic in UNSWITCHABLE and delivery != Delivery.IMMEDIATE:
            raise InvalidField(topic, _("Les e-mails de sécurité ne peuvent pas être désactivés."))
    for topic, delivery in deliveries.items():
        Preference.objects.update_or_create(user=actor, topic=topic, defaults={"delivery": delivery})
    return selectors.preferences_of(actor)


def unsubscribe_token(user_id: int, topic: str) -> str:
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user_id: int, topic: str) -> str:
    return mail.absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, topic)]))


@transaction.atomic
def preference_unsubscribe(*, token: str) -> tuple[User, str] | None:
    """The one-click link of an e-mail turns its topic's e-mails off (no sign-in). None for a bad token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, topic = int(data["u"]), str(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or topic not in Topic.values or topic in UNSWITCHABLE:
        return None
    Preference.objects.update_or_create(user=user, topic=topic, defaults={"delivery": Delivery.OFF})
    return user, topic


def _mail_to(user: User, subject: Any, text: Any, topic: str) -> None:
    mail.mail_send_on_commit(
        to=user.email,
        subject=subject,
        text=text,
        language=mail.language_of(user),
        unsubscribe_url="" if topic in UNSWITCHABLE else unsubscribe_url(user.pk, topic),
    )


@transaction.atomic
def notification_mail(*, notification_id: int) -> bool:
    """The worker's immediate e-mail of one notification: sent unless it was read, already mailed, or its
    topic switched off meanwhile. Returns whether a mail left."""
    row = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=notification_id, read_at__isnull=True, mailed_at__isnull=True)
        .first()
    )
    if row is None:
        return False
    if (
        row.topic not in UNSWITCHABLE
        and selectors.preferences_of(row.user_id)[row.topic] != Delivery.IMMEDIATE
    ):
        return False
    row.mailed_at = timezone.now()
    row.save(update_fields=["mailed_at"])
    _mail_to(
        row.user,
        lambda: notification_text(row),
        lambda: (
            _("Bonjour,\n\n%(text)s\n\n%(link)s\n")
            % {
                "text": notification_text(row),
                "link": mail.absolute(row.link or reverse("notifications:centre")),
            }
        ),
        row.topic,
    )
    return True


def _digest_subject(count: int) -> str:
    return ngettext(
        "Votre résumé : %(count)d notification", "Votre résumé : %(count)d notifications", count
    ) % {"count": count}


def _digest_candidates(user: User) -> QuerySet[Notification]:
    topics = [t for t, d in selectors.preferences_of(user).items() if d == Delivery.DIGEST]
    unmailed = [name for name, cls in registered_events().items() if cls.topic and not cls.mailed]
    return (
        Notification.objects.exclude(event__in=unmailed)
        .filter(user=user, topic__in=topics, read_at__isnull=True, mailed_at__isnull=True)
        .order_by("-id")
    )


def notifications_digest_send(*, now: dt.datetime | None = None) -> int:
    """Daily: one e-mail per user with their unread, never-mailed notifications of `digest` topics. A
    notification is in one digest at most (mailed_at). Returns the number of e-mails."""
    now = now or timezone.now()
    sent = 0
    users = User.objects.filter(
        pk__in=Preference.objects.filter(delivery=Delivery.DIGEST).values("user_id")
    ).order_by("pk")
    for user in users:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=user.pk).first()
            rows = list(_digest_candidates(user)[:DIGEST_MAX])
            if not rows:
                continue
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(mailed_at=now)

            def body(rows: list[Notification] = rows) -> str:
                lines = "\n".join(
                    f"- {notification_text(r)} : {mail.absolute(r.link or reverse('notifications:centre'))}"
                    for r in rows
                )
                return _(
                    "Bonjour,\n\nVoici ce qui s'est passé depuis hier :\n\n%(lines)s\n\nTout voir : %(centre)s\n"
                ) % {
                    "lines": lines,
                    "centre": mail.absolute(reverse("notifications:centre")),
                }

            mail.mail_send_on_commit(
                to=user.email,
                subject=partial(_digest_subject, len(rows)),
                text=body,
                language=mail.language_of(user),
                unsubscribe_url=unsubscribe_url(user.pk, rows[0].topic),
            )
            sent += 1
    return sent
