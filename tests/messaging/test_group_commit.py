"""The websocket's sends of one process written together (marketplace.adb.GroupCommit, bench/messaging.py):
sends in flight at the same time share one statement and one transaction, and each still gets its own answer
after the commit; one send's refusal or failure is its own."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from procrastinate.contrib.django.models import ProcrastinateJob

from marketplace import adb
from marketplace.messaging import services
from marketplace.messaging.exceptions import Blocked, ClientIdReused, ConversationNotFound
from marketplace.messaging.models import Block, Message
from marketplace.notifications.models import Notification
from marketplace.notifications.tasks import notifications_record_many_task, notifications_record_task
from tests.factories.accounts import UserFactory
from tests.helpers import run_deferred


def _jobs(messages) -> list[list[dict]]:
    """The events of each notification job (one per batch) about these messages, in the jobs' order (a
    transactional test's flush leaves Procrastinate's tables: the jobs of earlier tests are left out)."""
    ids = {message.pk for message in messages}
    assert not ProcrastinateJob.objects.filter(task_name=notifications_record_task.name).filter(
        args__payload__message__in=ids
    )  # never one job per message
    found = []
    for job in ProcrastinateJob.objects.filter(task_name=notifications_record_many_task.name).order_by("id"):
        events = job.args["events"]
        if any(event["payload"]["message"] in ids for event in events):
            assert all(event["payload"]["message"] in ids for event in events)
            found.append(events)
    return found


def _together(*sends):
    """The sends awaited at the same time, in one event loop: each one's message or exception, in order."""

    async def run():
        before = services._live_sends.batches
        outcomes = await asyncio.gather(
            *(services.message_send_live(**send) for send in sends), return_exceptions=True
        )
        return outcomes, services._live_sends.batches - before

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_sends_in_flight_together_share_one_statement_and_each_gets_its_message(chat):
    others = [UserFactory() for _ in range(5)]
    conversations = [services.conversation_open_direct(actor=chat.alice, other=o.pk)[0] for o in others]
    sends = [
        {"actor": chat.alice, "conversation_id": c.pk, "text": f"t{n}", "client_id": f"g{n}"}
        for n, c in enumerate(conversations)
    ]
    sends.append({"actor": chat.bob, "conversation_id": chat.conversation.pk, "text": "b", "client_id": "g"})
    outcomes, batches = _together(*sends)
    assert batches == 1  # one statement for six sends (one per send without the group commit)
    assert all(isinstance(message, Message) for message in outcomes)
    ids = [message.pk for message in outcomes]
    assert ids == sorted(ids)  # drawn in the order the sends came
    for send, message in zip(sends, outcomes, strict=True):
        stored = Message.objects.get(pk=message.pk)
        assert (stored.conversation_id, stored.sender_id, stored.text, stored.client_id) == (
            send["conversation_id"],
            send["actor"].pk,
            send["text"],
            send["client_id"],
        )
        assert stored.created_at == message.created_at
    (events,) = _jobs(outcomes)  # one job records the notifications of the whole batch, in order
    recipients = [*(o.pk for o in others), chat.alice.pk]
    assert events == [
        {
            "event": "message.received",
            "payload": {"conversation": message.conversation_id, "message": message.pk},
            "recipients": [recipient],
        }
        for message, recipient in zip(outcomes, recipients, strict=True)
    ]
    assert run_deferred(notifications_record_many_task) >= 1  # the worker
    for message, recipient in zip(outcomes, recipients, strict=True):
        assert Notification.objects.filter(user_id=recipient, payload__message=message.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_conversation_in_one_batch_keep_ids_and_times_in_order(chat):
    outcomes, batches = _together(
        {"actor": chat.alice, "conversation_id": chat.conversation.pk, "text": "1", "client_id": "a1"},
        {"actor": chat.bob, "conversation_id": chat.conversation.pk, "text": "2", "client_id": "b1"},
        {"actor": chat.alice, "conversation_id": chat.conversation.pk, "text": "3", "client_id": "a2"},
    )
    assert batches == 1
    first, second, third = outcomes
    assert first.pk < second.pk < third.pk
    assert first.created_at <= second.created_at <= third.created_at
    chat.conversation.refresh_from_db()
    assert chat.conversation.last_activity_at == third.created_at
    marks = dict(chat.conversation.participants.values_list("user_id", "last_read_id"))
    assert marks == {chat.alice.pk: third.pk, chat.bob.pk: second.pk}  # one's own messages are read


@pytest.mark.django_db(transaction=True)
def test_one_sends_refusal_in_a_batch_is_its_own(chat):
    first = async_to_sync(services.message_send_live)(
        actor=chat.alice, conversation_id=chat.conversation.pk, text="first", client_id="x"
    )
    blocker = UserFactory()
    blocked_conversation, _ = services.conversation_open_direct(actor=chat.alice, other=blocker.pk)
    Block.objects.create(blocker=blocker, blocked=chat.alice)
    outcomes, batches = _together(
        {"actor": chat.outsider, "conversation_id": chat.conversation.pk, "text": "o", "client_id": "o"},
        {"actor": chat.alice, "conversation_id": blocked_conversation.pk, "text": "b", "client_id": "b"},
        {"actor": chat.alice, "conversation_id": chat.conversation.pk, "text": "first", "client_id": "x"},
        {"actor": chat.bob, "conversation_id": chat.conversation.pk, "text": "ok", "client_id": "ok"},
        {"actor": chat.bob, "conversation_id": 10**12, "text": "gone", "client_id": "gone"},
    )
    assert batches == 1
    outsider, blocked, retried, fine, gone = outcomes
    assert isinstance(outsider, ConversationNotFound)
    assert isinstance(blocked, Blocked)
    assert retried.pk == first.pk  # a retry answers the first message
    assert isinstance(fine, Message)
    assert Message.objects.get(pk=fine.pk).text == "ok"
    assert isinstance(gone, ConversationNotFound)
    assert sorted(Message.objects.values_list("text", flat=True)) == ["first", "ok"]
    batches_events = _jobs([first, fine])
    assert [[event["payload"]["message"] for event in events] for events in batches_events] == [
        [first.pk],
        [fine.pk],
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failing_batch_is_written_again_send_by_send(chat):
    """The same client id twice in one batch (two tabs of one user): the statement fails on the unique client
    id and nothing of it is written; each send is then tried alone, and the others are stored."""
    other, _ = services.conversation_open_direct(actor=chat.alice, other=UserFactory().pk)
    outcomes, batches = _together(
        {"actor": chat.alice, "conversation_id": chat.conversation.pk, "text": "a", "client_id": "same"},
        {"actor": chat.bob, "conversation_id": chat.conversation.pk, "text": "b", "client_id": "fine"},
        {"actor": chat.alice, "conversation_id": other.pk, "text": "c", "client_id": "same"},
    )
    assert batches == 1
    mine, fine, reused = outcomes
    assert Message.objects.get(pk=mine.pk).text == "a"
    assert Message.objects.get(pk=fine.pk).text == "b"
    assert isinstance(reused, ClientIdReused)  # as message_send says it
    assert Message.objects.count() == 2
    # written again one by one: a job each
    assert [[event["payload"]["message"] for event in events] for events in _jobs([mine, fine])] == [
        [mine.pk],
        [fine.pk],
    ]


# ---- GroupCommit itself ----
def test_items_arriving_while_batches_are_in_flight_go_in_the_next_batch_together():
    seen: list[list[int]] = []

    async def scenario():
        release = asyncio.Event()

        async def run(items: list[int]) -> list[int | Exception]:
            seen.append(items)
            await release.wait()
            return [ValueError(item) if item == 13 else item * 10 for item in items]

        group: adb.GroupCommit[int, int] = adb.GroupCommit(run, max_items=3, concurrency=2)
        first = [asyncio.ensure_future(group.submit(n)) for n in (1, 2)]
        await asyncio.sleep(0)  # both drains start: one takes 1 and 2, the other finds nothing
        later = [asyncio.ensure_future(group.submit(n)) for n in (3, 4, 13, 5, 6)]
        await asyncio.sleep(0)
        cancelled = asyncio.ensure_future(group.submit(7))
        await asyncio.sleep(0)
        cancelled.cancel()  # its submitter goes away: the others do not care
        release.set()
        results = await asyncio.gather(*first, *later, return_exceptions=True)
        return results, group.batches

    results, batches = asyncio.run(scenario())
    # 1 and 2 together; then, both batches in flight, the rest waits and goes in as few batches as max_items
    # allows, in order (7 too, though its submitter went away)
    assert seen == [[1, 2], [3, 4, 13], [5, 6, 7]]
    assert batches == 3
    assert results[:4] == [10, 20, 30, 40]
    assert isinstance(results[4], ValueError)  # its own failure only
    assert results[5:] == [50, 60]


def test_a_run_that_fails_as_a_whole_fails_each_of_its_items_and_the_next_batch_goes_on():
    async def scenario():
        calls = 0

        async def run(items: list[int]) -> list[int | Exception]:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("down")
            return list[int | Exception](items)

        group: adb.GroupCommit[int, int] = adb.GroupCommit(run, max_items=10, concurrency=1)
        first = await asyncio.gather(group.submit(1), group.submit(2), return_exceptions=True)
        second = await group.submit(3)
        return first, second

    first, second = asyncio.run(scenario())
    assert all(isinstance(error, RuntimeError) for error in first)
    assert second == 3
