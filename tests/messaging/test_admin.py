"""Moderation in the admin: reported messages listed with their text as reported, handled through the service."""

from django.test import Client

from marketplace.messaging import services
from marketplace.messaging.models import Report
from tests.factories.accounts import UserFactory


def test_moderators_list_reports_and_mark_them_handled(chat):
    message, _ = services.message_send(
        actor=chat.alice, conversation=chat.conversation, text="Propos déplacés", client_id="r"
    )
    report, _ = services.message_report(actor=chat.bob, message=message, reason="Insultant")
    services.message_delete(actor=chat.alice, message=message)
    moderator = Client()
    moderator.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = moderator.get("/admin/messaging/report/")
    assert listing.status_code == 200
    assert "Propos déplacés" in listing.content.decode()  # the text as reported, though since deleted
    assert moderator.get("/admin/messaging/report/add/").status_code == 403
    moderator.post("/admin/messaging/report/", {"action": "mark_handled", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Report.Status.HANDLED
    assert report.handled_at is not None
