"""The cost of a send, the messaging's hot path (bench/messaging.py): a fixed number of queries, whatever the
conversation, and the recipients' notifications recorded by the worker from one job deferred in the send's
transaction (a rollback leaves no job; a message read before the job runs gets no notification)."""

import pytest
from asgiref.sync import async_to_sync
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from procrastinate.contrib.django.models import ProcrastinateJob

from marketplace.errors import InvalidField
from marketplace.messaging import services
from marketplace.messaging.events import MessageReceived
from marketplace.messaging.exceptions import Blocked, ConversationNotFound
from marketplace.messaging.models import Block, Message
from marketplace.notifications.models import Notification
from marketplace.notifications.services import (
    notifications_record_deferred,
    notifications_record_deferred_many,
)
from marketplace.notifications.tasks import (
    notification_mail_task,
    notifications_record_many_task,
    notifications_record_task,
)
from tests.factories.accounts import UserFactory
from tests.helpers import run_deferred

pytestmark = pytest.mark.django_db

# One statement (the conversation locked and read with every check of a send: participants, blocks, a
# retried client id; the insert; the conversation's last activity; the sender's read mark), then the job that
# records the notifications. Inside a test's transaction, the service's own transaction is a savepoint: two
# more.
SEND_QUERIES = 2
SAVEPOINT = 2


def jobs(task) -> list[ProcrastinateJob]:
    return list(ProcrastinateJob.objects.filter(task_name=task.name).order_by("id"))


def test_a_send_costs_two_queries_with_the_conversations_id_alone(chat):
    services.message_send(actor=chat.alice, conversation=chat.conversation, text="warm", client_id="w")
    for n in range(2):  # the first send of a pair, then a later one: the same cost
        with CaptureQueriesContext(connection) as ctx:
            _message, created = services.message_send(
                actor=chat.alice, conversation=chat.conversation.pk, text=f"Bonjour {n}", client_id=f"c{n}"
            )
        assert created
        sql = [q["sql"] for q in ctx.captured_queries]
        assert len(sql) == SEND_QUERIES + SAVEPOINT, "\n".join(sql)
        assert not any("notifications_notification" in q for q in sql)  # recorded by the worker
    assert Message.objects.filter(sender=chat.alice).count() == 3
    participation = chat.conversation.participants.get(user=chat.alice)
    assert participation.last_read_id == Message.objects.latest("id").pk  # one's own message is read
    assert chat.conversation.participants.get(user=chat.bob).last_read_id == 0
    chat.conversation.refresh_from_db()
    assert chat.conversation.last_activity_at == Message.objects.latest("id").created_at


def test_a_retry_costs_no_write_and_answers_the_first_message(chat):
    first, _ = services.message_send(
        actor=chat.alice, conversation=chat.conversation.pk, text="a", client_id="x"
    )
    with CaptureQueriesContext(connection) as ctx:
        again, created = services.message_send(
            actor=chat.alice, conversation=chat.conversation.pk, text="a", client_id="x"
        )
    assert (again.pk, created) == (first.pk, False)
    assert not any(q["sql"].startswith(("INSERT", "UPDATE")) for q in ctx.captured_queries)
    assert len(jobs(notifications_record_task)) == 1


def test_the_one_query_still_refuses_outsiders_and_blocks(chat):
    with pytest.raises(ConversationNotFound):
        services.message_send(actor=chat.outsider, conversation=chat.conversation.pk, text="a", client_id="o")
    Block.objects.create(blocker=chat.bob, blocked=chat.alice)
    with pytest.raises(Blocked):
        services.message_send(actor=chat.alice, conversation=chat.conversation.pk, text="a", client_id="b1")
    Block.objects.all().delete()
    Block.objects.create(blocker=chat.alice, blocked=chat.bob)  # direct: blocking them stops one's own sends
    with pytest.raises(Blocked):
        services.message_send(actor=chat.alice, conversation=chat.conversation.pk, text="a", client_id="b2")
    assert not Message.objects.exists()
    assert jobs(notifications_record_task) == []


def test_the_worker_records_the_notification_and_defers_its_mail(chat):
    message, _ = services.message_send(
        actor=chat.alice, conversation=chat.conversation, text="a", client_id="n"
    )
    assert not Notification.objects.exists()
    (job,) = jobs(notifications_record_task)
    assert job.args == {
        "event": "message.received",
        "payload": {"conversation": chat.conversation.pk, "message": message.pk},
        "recipients": [chat.bob.pk],
    }
    assert run_deferred(notifications_record_task) == 1
    row = Notification.objects.get()
    assert (row.user, row.topic, row.link) == (chat.bob, "message", f"/messages/{chat.conversation.pk}/")
    assert len(jobs(notification_mail_task)) == 1


def test_read_before_the_worker_runs_means_no_notification(chat):
    message, _ = services.message_send(
        actor=chat.alice, conversation=chat.conversation, text="a", client_id="r"
    )
    services.conversation_mark_read(actor=chat.bob, conversation=chat.conversation, up_to_id=message.pk)
    assert run_deferred(notifications_record_task) == 1
    assert not Notification.objects.exists()
    assert jobs(notification_mail_task) == []


def test_a_reply_marks_the_repliers_notifications_of_the_conversation_read(chat):
    services.message_send(actor=chat.alice, conversation=chat.conversation, text="a", client_id="q")
    assert run_deferred(notifications_record_task) == 1
    (bell,) = Notification.objects.filter(user=chat.bob)
    assert bell.read_at is None
    services.message_send(actor=chat.bob, conversation=chat.conversation, text="b", client_id="r")
    assert Notification.objects.get(pk=bell.pk).read_at is None  # the send itself stays two queries
    # the worker records Alice's notification (the first job again too: Bob has read it by now, so nothing)
    assert run_deferred(notifications_record_task) == 2
    assert Notification.objects.get(pk=bell.pk).read_at is not None
    assert Notification.objects.get(user=chat.alice).read_at is None


def test_a_rolled_back_send_leaves_no_job(chat):
    def send_then_fail() -> None:
        with transaction.atomic():
            services.message_send(actor=chat.alice, conversation=chat.conversation, text="a", client_id="rb")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        send_then_fail()
    assert jobs(notifications_record_task) == []
    assert not Message.objects.exists()


def test_an_event_no_longer_declared_records_nothing(chat):
    assert notifications_record_deferred(event="gone.event", payload={}, recipients=[chat.bob.pk]) == 0
    assert MessageReceived(conversation=chat.conversation.pk, message=10**9).unseen_by([chat.bob.pk]) == [
        chat.bob.pk
    ]
    assert MessageReceived(conversation=chat.conversation.pk, message=1).unseen_by([UserFactory().pk]) == []


# ---- The websocket's send: message_send_live, one statement on an asynchronous connection of the loop ----
def _earlier_jobs() -> set[int]:
    """Jobs left by earlier tests: a transactional test's flush does not empty Procrastinate's tables."""
    return {
        job.pk for task in (notifications_record_task, notifications_record_many_task) for job in jobs(task)
    }


def new_jobs(earlier: set[int]) -> list[ProcrastinateJob]:
    """The notification jobs deferred since `earlier`, the service's and the socket's, in order."""
    every = [*jobs(notifications_record_task), *jobs(notifications_record_many_task)]
    return sorted((job for job in every if job.pk not in earlier), key=lambda job: job.pk)


@pytest.mark.django_db(transaction=True)
def test_the_sockets_send_is_one_statement_and_defers_the_services_job_in_a_batch(chat):
    earlier = _earlier_jobs()
    sent, _ = services.message_send(
        actor=chat.alice, conversation=chat.conversation.pk, text="a", client_id="s"
    )
    with CaptureQueriesContext(connection) as ctx:
        live = async_to_sync(services.message_send_live)(
            actor=chat.alice, conversation_id=chat.conversation.pk, text=" b ", client_id="l"
        )
    assert ctx.captured_queries == []  # nothing through Django's connection, no thread
    stored = Message.objects.get(pk=live.pk)
    assert (stored.text, stored.sender_id, stored.client_id, stored.created_at) == (
        "b",
        chat.alice.pk,
        "l",
        live.created_at,
    )
    assert chat.conversation.participants.get(user=chat.alice).last_read_id == live.pk
    chat.conversation.refresh_from_db()
    assert chat.conversation.last_activity_at == live.created_at
    by_service, by_socket = new_jobs(earlier)
    assert (by_service.task_name, by_socket.task_name) == (
        notifications_record_task.name,
        notifications_record_many_task.name,
    )
    same = ("queue_name", "priority", "lock", "queueing_lock", "status", "scheduled_at")
    assert [getattr(by_socket, f) for f in same] == [getattr(by_service, f) for f in same]
    assert by_service.args["payload"] == {"conversation": chat.conversation.pk, "message": sent.pk}
    # the socket's sends written together defer one job for all of them: here one send, one event, the
    # arguments the service gives its own job
    assert by_socket.args == {
        "events": [{**by_service.args, "payload": {"conversation": chat.conversation.pk, "message": live.pk}}]
    }
    assert by_socket.args["events"][0]["recipients"] == [chat.bob.pk]
    assert notifications_record_deferred_many(**by_socket.args) == 1  # the worker records it as the service's
    assert Notification.objects.filter(user=chat.bob, payload__message=live.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_sockets_send_refuses_as_the_service_does_and_answers_a_retry(chat):
    earlier = _earlier_jobs()
    send = async_to_sync(services.message_send_live)
    with pytest.raises(ConversationNotFound):
        send(actor=chat.outsider, conversation_id=chat.conversation.pk, text="a", client_id="o")
    with pytest.raises(ConversationNotFound):  # the conversation before the text: nothing told to outsiders
        send(actor=chat.outsider, conversation_id=chat.conversation.pk, text=" ", client_id="o")
    with pytest.raises(InvalidField):
        send(actor=chat.alice, conversation_id=chat.conversation.pk, text=" ", client_id="e")
    Block.objects.create(blocker=chat.bob, blocked=chat.alice)
    with pytest.raises(Blocked):
        send(actor=chat.alice, conversation_id=chat.conversation.pk, text="a", client_id="b1")
    Block.objects.all().delete()
    assert not Message.objects.exists()
    assert new_jobs(earlier) == []
    first = send(actor=chat.alice, conversation_id=chat.conversation.pk, text="a", client_id="x")
    again = send(actor=chat.alice, conversation_id=chat.conversation.pk, text="a", client_id="x")
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert len(new_jobs(earlier)) == 1
