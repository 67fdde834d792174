"""RGPD: a person's messages are in their export; erasure blanks them (the rows stay, from a former member)
and no text column keeps what they wrote."""

import pytest

from marketplace.accounts.services import user_delete, user_export_data
from marketplace.messaging import services
from marketplace.messaging.models import Message
from tests.accounts.test_rgpd import tables_containing
from tests.factories.accounts import PASSWORD, UserFactory


@pytest.mark.django_db
def test_messages_are_exported_then_blanked_on_erasure():
    leaving, staying = UserFactory(display_name="Camille Partante"), UserFactory()
    conversation, _ = services.conversation_open_direct(actor=leaving, other=staying.pk)
    mine, _ = services.message_send(
        actor=leaving, conversation=conversation, text="Appelez Camille Partante au 0611", client_id="a"
    )
    services.message_edit(actor=leaving, message=mine, text="Écrivez à Camille Partante")
    reply, _ = services.message_send(actor=staying, conversation=conversation, text="Merci", client_id="b")
    services.message_report(actor=staying, message=mine, reason="")
    exported = user_export_data(actor=leaving)["messaging"]
    assert [m["text"] for m in exported["messages"]] == ["Écrivez à Camille Partante"]
    assert exported["messages"][0]["earlier_versions"] == ["Appelez Camille Partante au 0611"]

    user_delete(actor=leaving, password=PASSWORD)

    assert tables_containing("Camille Partante") == []
    kept = Message.objects.get(pk=mine.pk)
    assert (kept.sender_id, kept.text) == (None, "")
    assert kept.deleted_at is not None
    assert Message.objects.get(pk=reply.pk).text == "Merci"
