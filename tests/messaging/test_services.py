"""The messaging services: permissions (outsiders get a 404), idempotent sends, edits and deletions that
leave a trace, read marks that only move forward, blocks, reports, subject conversations."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from marketplace.errors import InvalidField
from marketplace.messaging import registry, selectors, services
from marketplace.messaging.exceptions import (
    Blocked,
    ClientIdReused,
    ConversationNotFound,
    EditWindowClosed,
    MessageDeleted,
    NotMessageSender,
    UserNotFound,
)
from marketplace.messaging.models import Conversation, Message, MessageRevision, Participant, Report
from tests.factories.accounts import UserFactory
from tests.helpers import assert_nothing_written


def unread(participation: Any) -> int:
    """The count the selector annotates on a participation."""
    return int(participation.unread)


def send(chat, text="Bonjour", client_id="c1", actor=None):
    message, _created = services.message_send(
        actor=actor or chat.alice, conversation=chat.conversation, text=text, client_id=client_id
    )
    return message


class TestDirectConversations:
    def test_one_conversation_per_pair_whoever_opens_it(self, chat):
        again, created = services.conversation_open_direct(actor=chat.bob, other=chat.alice.pk)
        assert (again.pk, created) == (chat.conversation.pk, False)
        assert sorted(
            Participant.objects.filter(conversation=again).values_list("user_id", flat=True)
        ) == sorted([chat.alice.pk, chat.bob.pk])

    def test_oneself_or_nobody_is_refused_with_nothing_written(self, chat):
        with assert_nothing_written():
            with pytest.raises(InvalidField) as error:
                services.conversation_open_direct(actor=chat.alice, other=chat.alice.pk)
            assert error.value.field == "user_id"
            with pytest.raises(UserNotFound):
                services.conversation_open_direct(actor=chat.alice, other=10**12)

    def test_no_new_conversation_with_someone_blocked_either_way(self, chat):
        services.user_block(actor=chat.outsider, other=chat.alice.pk)
        with assert_nothing_written():
            with pytest.raises(Blocked):
                services.conversation_open_direct(actor=chat.alice, other=chat.outsider.pk)
            with pytest.raises(Blocked):
                services.conversation_open_direct(actor=chat.outsider, other=chat.alice.pk)


class TestSend:
    def test_message_is_stored_with_increasing_ids(self, chat):
        first = send(chat, "un", "a")
        second = send(chat, "deux", "b", actor=chat.bob)
        assert second.pk > first.pk
        assert list(
            selectors.messages_of(chat.conversation).order_by("id").values_list("text", flat=True)
        ) == [
            "un",
            "deux",
        ]

    def test_a_retry_with_the_same_client_id_returns_the_first_message(self, chat):
        first, created = services.message_send(
            actor=chat.alice, conversation=chat.conversation, text="Bonjour", client_id="same"
        )
        again, created_again = services.message_send(
            actor=chat.alice, conversation=chat.conversation, text="Bonjour", client_id="same"
        )
        assert (created, created_again) == (True, False)
        assert again.pk == first.pk
        assert Message.objects.filter(sender=chat.alice).count() == 1

    def test_the_same_client_id_of_another_sender_is_another_message(self, chat):
        send(chat, client_id="same")
        send(chat, client_id="same", actor=chat.bob)
        assert Message.objects.count() == 2

    def test_a_client_id_reused_in_another_conversation_is_a_conflict(self, chat):
        send(chat, client_id="same")
        other, _ = services.conversation_open_direct(actor=chat.alice, other=chat.outsider.pk)
        with assert_nothing_written(), pytest.raises(ClientIdReused):
            services.message_send(actor=chat.alice, conversation=other, text="x", client_id="same")

    @pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 4001, "\u202eevil"])
    def test_bad_text_is_refused_naming_the_field(self, chat, text):
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            send(chat, text)
        assert error.value.field == "text"

    def test_four_thousand_characters_and_line_breaks_are_accepted(self, chat):
        assert send(chat, "ligne\r\n" + "x" * 3990).text == "ligne\n" + "x" * 3990

    def test_an_outsider_cannot_send_and_nothing_is_written(self, chat):
        with assert_nothing_written(), pytest.raises(ConversationNotFound):
            send(chat, actor=chat.outsider)

    def test_a_blocked_person_cannot_send_nor_the_blocker_in_a_direct_conversation(self, chat):
        services.user_block(actor=chat.bob, other=chat.alice.pk)
        with assert_nothing_written():
            with pytest.raises(Blocked):
                send(chat)
            with pytest.raises(Blocked):
                send(chat, actor=chat.bob)
        services.user_unblock(actor=chat.bob, other=chat.alice.pk)
        assert send(chat).pk

    def test_system_messages_have_no_sender(self, chat):
        message = services.message_send_system(conversation=chat.conversation, text="Proposition acceptée.")
        assert (message.kind, message.sender_id) == ("system", None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_send_store_one_row():
    alice, bob = UserFactory(), UserFactory()
    conversation, _ = services.conversation_open_direct(actor=alice, other=bob.pk)
    barrier = threading.Barrier(4)
    ids: list[int] = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            message, _created = services.message_send(
                actor=alice, conversation=conversation, text="Une fois", client_id="race"
            )
            ids.append(message.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ids) == 4
    assert len(set(ids)) == 1
    assert Message.objects.filter(sender=alice, client_id="race").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_get_strictly_increasing_ids_in_commit_order():
    people = [UserFactory() for _ in range(5)]
    registry.register_subject("test_group", participants=lambda _id: [p.pk for p in people])
    try:
        group = services.conversation_for_subject(actor=people[0], subject_type="test_group", subject_id=1)
        barrier = threading.Barrier(len(people))

        def burst(person) -> None:
            try:
                barrier.wait(timeout=10)
                for n in range(10):
                    services.message_send(
                        actor=person, conversation=group, text=f"{n}", client_id=f"{person.pk}-{n}"
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=burst, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        rows = list(Message.objects.filter(conversation=group).order_by("id").values_list("id", "created_at"))
        assert len(rows) == 50
        # Sends of a conversation are serialised on its row: ids and times increase together.
        assert [created for _id, created in rows] == sorted(created for _id, created in rows)
        for person in people:
            texts = list(
                Message.objects.filter(conversation=group, sender=person)
                .order_by("id")
                .values_list("text", flat=True)
            )
            assert texts == [str(n) for n in range(10)]
    finally:
        registry.unregister_subject("test_group")


class TestEditAndDelete:
    def test_an_edit_keeps_the_previous_text(self, chat):
        message = send(chat, "Rendez-vous à 10 h")
        edited = services.message_edit(actor=chat.alice, message=message, text="Rendez-vous à 11 h")
        assert edited.text == "Rendez-vous à 11 h"
        assert edited.edited_at is not None
        assert list(MessageRevision.objects.filter(message=message).values_list("text", flat=True)) == [
            "Rendez-vous à 10 h"
        ]

    def test_only_the_sender_edits_and_only_within_fifteen_minutes(self, chat):
        message = send(chat)
        with assert_nothing_written():
            with pytest.raises(NotMessageSender):
                services.message_edit(actor=chat.bob, message=message, text="pirate")
            with pytest.raises(ConversationNotFound):
                services.message_edit(actor=chat.outsider, message=message, text="pirate")
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))
        message.refresh_from_db()
        with assert_nothing_written(), pytest.raises(EditWindowClosed):
            services.message_edit(actor=chat.alice, message=message, text="trop tard")
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=14))
        assert services.message_edit(actor=chat.alice, message=message, text="à temps").text == "à temps"

    def test_deletion_blanks_the_text_and_keeps_the_row(self, chat):
        message = send(chat, "secret")
        services.message_edit(actor=chat.alice, message=message, text="secret corrigé")
        deleted = services.message_delete(actor=chat.alice, message=message)
        assert deleted.text == ""
        assert deleted.deleted_at is not None
        assert Message.objects.filter(pk=message.pk).exists()
        assert list(MessageRevision.objects.filter(message=message).values_list("text", flat=True)) == [""]
        with assert_nothing_written(), pytest.raises(MessageDeleted):
            services.message_edit(actor=chat.alice, message=deleted, text="revenu")
        with pytest.raises(NotMessageSender):
            services.message_delete(actor=chat.bob, message=send(chat, "autre", "c2"))


class TestReadState:
    def test_unread_counts_are_per_participant_and_the_mark_never_goes_back(self, chat):
        first = send(chat, "1", "a")
        send(chat, "2", "b")
        third = send(chat, "3", "c")
        by_user = {p.user_id: unread(p) for p in selectors.participations_of(chat.bob)}
        assert by_user == {chat.bob.pk: 3}
        assert unread(selectors.participations_of(chat.alice).get()) == 0  # one's own messages are read
        assert (
            services.conversation_mark_read(actor=chat.bob, conversation=chat.conversation, up_to_id=third.pk)
            == third.pk
        )
        assert (
            services.conversation_mark_read(actor=chat.bob, conversation=chat.conversation, up_to_id=first.pk)
            == third.pk
        )
        assert unread(selectors.participations_of(chat.bob).get()) == 0
        assert (
            services.conversation_mark_read(actor=chat.bob, conversation=chat.conversation, up_to_id=10**15)
            == third.pk
        )  # never past the last message

    def test_an_outsider_cannot_mark_read(self, chat):
        send(chat)
        with assert_nothing_written(), pytest.raises(ConversationNotFound):
            services.conversation_mark_read(actor=chat.outsider, conversation=chat.conversation, up_to_id=1)


class TestReport:
    def test_a_report_keeps_the_text_as_it_was(self, chat):
        message = send(chat, "insulte")
        report, created = services.message_report(actor=chat.bob, message=message, reason="Grossier")
        services.message_delete(actor=chat.alice, message=message)
        report.refresh_from_db()
        assert created
        assert report.text_as_reported == "insulte"
        assert report.status == "open"
        again, created_again = services.message_report(actor=chat.bob, message=message, reason="encore")
        assert (again.pk, created_again) == (report.pk, False)
        assert Report.objects.count() == 1

    def test_outsiders_and_the_sender_cannot_report(self, chat):
        message = send(chat)
        with assert_nothing_written():
            with pytest.raises(ConversationNotFound):
                services.message_report(actor=chat.outsider, message=message, reason="")
            with pytest.raises(InvalidField):
                services.message_report(actor=chat.alice, message=message, reason="")

    def test_only_staff_handle_reports(self, chat):
        report, _ = services.message_report(actor=chat.bob, message=send(chat), reason="")
        with pytest.raises(ConversationNotFound):
            services.report_handle(actor=chat.bob, report=report)
        moderator = UserFactory(is_staff=True)
        assert services.report_handle(actor=moderator, report=report).status == "handled"


class TestSubjects:
    def test_participants_follow_the_parties_of_the_object(self, db):
        owner, guest, newcomer = UserFactory(), UserFactory(), UserFactory()
        parties = {7: [owner.pk, guest.pk]}
        registry.register_subject("test_proposal", participants=lambda object_id: parties.get(object_id, []))
        try:
            conversation = services.conversation_for_subject(
                actor=owner, subject_type="test_proposal", subject_id=7
            )
            assert conversation.kind == Conversation.Kind.SUBJECT
            assert selectors.participant_ids(conversation) == sorted([owner.pk, guest.pk])
            with pytest.raises(ConversationNotFound):
                services.conversation_for_subject(actor=newcomer, subject_type="test_proposal", subject_id=7)
            with pytest.raises(ConversationNotFound):
                services.conversation_for_subject(actor=owner, subject_type="unknown", subject_id=7)
            parties[7] = [owner.pk, newcomer.pk]
            services.conversation_sync_participants(subject_type="test_proposal", subject_id=7)
            assert selectors.participant_ids(conversation) == sorted([owner.pk, newcomer.pk])
            with pytest.raises(ConversationNotFound):
                selectors.conversation_get_for_actor(actor=guest, conversation_id=conversation.pk)
        finally:
            registry.unregister_subject("test_proposal")
