"""Notifications: a topical event becomes one notification per recipient in the publishing transaction, a
job for its e-mail (none after a rollback), mails in the recipient's language in our layout with a signed
one-click unsubscribe, the digest mailing each notification once, the API and pages (someone else's → 404)."""

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from marketplace.events import Event, event, publish
from marketplace.messaging import services as messaging
from marketplace.notifications import selectors, services
from marketplace.notifications.models import Notification, Preference
from marketplace.notifications.tasks import notifications_record_task
from tests.factories.accounts import UserFactory
from tests.helpers import assert_nothing_written, run_deferred

pytestmark = pytest.mark.django_db


@event("test.account_notice")
@dataclass(frozen=True)
class AccountNotice(Event):
    topic: ClassVar[str] = "account"
    thing: int

    def text(self) -> str:
        from django.utils.translation import gettext as _

        return _("Votre emploi : %(decision)s par votre employeur.") % {"decision": "ok"}

    def link(self) -> str:
        return f"/employeur/?thing={self.thing}"


def jobs() -> int:
    return ProcrastinateJob.objects.filter(task_name__endswith="notification_mail_task").count()


def notify(*users, thing=1):
    with transaction.atomic():
        publish(AccountNotice(thing=thing), to=[u.pk for u in users])


class TestRecording:
    def test_one_notification_per_recipient_and_a_mail_job(self):
        alice, bob = UserFactory(), UserFactory()
        notify(alice, bob, alice)
        assert Notification.objects.filter(user=alice).count() == 1
        row = Notification.objects.get(user=bob)
        assert (row.topic, row.event, row.payload, row.link) == (
            "account",
            "test.account_notice",
            {"thing": 1},
            "/employeur/?thing=1",
        )
        assert jobs() == 2
        assert selectors.unread_count(bob) == 1

    def test_rollback_leaves_no_notification_no_job_no_mail(self, django_capture_on_commit_callbacks):
        alice = UserFactory()

        def publish_then_fail() -> None:
            with transaction.atomic():
                publish(AccountNotice(thing=1), to=[alice.pk])
                raise RuntimeError("rolled back")

        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            publish_then_fail()
        assert Notification.objects.count() == 0
        assert jobs() == 0
        assert mail.outbox == []

    def test_off_topic_gets_no_job_but_is_listed(self):
        alice = UserFactory()
        services.preferences_set(actor=alice, deliveries={"account": "off"})
        notify(alice)
        assert Notification.objects.filter(user=alice).count() == 1
        assert jobs() == 0


class TestMails:
    def test_immediate_mail_in_the_recipients_language_with_unsubscribe(
        self, client, django_capture_on_commit_callbacks
    ):
        alice = UserFactory(preferred_language="en")
        notify(alice)
        row = Notification.objects.get(user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notification_mail(notification_id=row.pk) is True
        (sent,) = mail.outbox
        assert isinstance(sent, EmailMultiAlternatives)
        assert sent.to == [alice.email]
        assert sent.subject.startswith("[Réciproque] ")
        assert "Your employment" in sent.subject
        assert "Your employment" in sent.body
        assert "Réciproque" in sent.body
        assert "http://127.0.0.1:8000/employeur/?thing=1" in sent.body
        html, mimetype = sent.alternatives[0]
        assert mimetype == "text/html"
        assert isinstance(html, str)
        assert 'lang="en"' in html
        assert "Réciproque" in html
        url = sent.extra_headers["List-Unsubscribe"].strip("<>")
        assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in sent.body
        # Mailed once: a second job for the same row sends nothing.
        assert services.notification_mail(notification_id=row.pk) is False
        # One click, no session (RFC 8058 POST without CSRF token).
        path = url.removeprefix("http://127.0.0.1:8000")
        assert client.get(path).status_code == 200
        assert Preference.objects.filter(user=alice).count() == 0
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert selectors.preferences_of(alice)["account"] == "off"

    def test_tampered_unsubscribe_is_refused(self, client):
        alice = UserFactory()
        token = services.unsubscribe_token(alice.pk, "account")
        with assert_nothing_written():
            assert client.post(f"/notifications/desabonnement/{token[:-2]}xx/").status_code == 404
            forged = services.unsubscribe_token(alice.pk, "security")
            assert client.post(f"/notifications/desabonnement/{forged}/").status_code == 404
        assert selectors.preferences_of(alice)["account"] == "immediate"

    def test_read_before_the_job_runs_means_no_mail(self, django_capture_on_commit_callbacks):
        alice = UserFactory()
        notify(alice)
        row = Notification.objects.get(user=alice)
        services.notification_mark_read(actor=alice, notification=row)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notification_mail(notification_id=row.pk) is False
        assert mail.outbox == []

    def test_a_read_conversation_cancels_its_message_mails(self, django_capture_on_commit_callbacks):
        alice, bob = UserFactory(), UserFactory()
        conversation, _ = messaging.conversation_open_direct(actor=alice, other=bob.pk)
        message, _ = messaging.message_send(
            actor=alice, conversation=conversation, text="Salut", client_id="x1"
        )
        assert not Notification.objects.exists()  # recorded by the worker, not by the send
        assert run_deferred(notifications_record_task) == 1
        assert not Notification.objects.filter(user=alice).exists()  # not the sender
        row = Notification.objects.get(user=bob, topic="message")
        job = ProcrastinateJob.objects.get(task_name__endswith="notification_mail_task")
        assert job.scheduled_at is not None  # held back (mail_delay)
        messaging.conversation_mark_read(actor=bob, conversation=conversation, up_to_id=message.pk)
        row.refresh_from_db()
        assert row.read_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notification_mail(notification_id=row.pk) is False
        assert mail.outbox == []

    def test_digest_mails_each_notification_once(self, django_capture_on_commit_callbacks):
        alice, bob = UserFactory(), UserFactory()
        services.preferences_set(actor=alice, deliveries={"account": "digest"})
        notify(alice, bob, thing=1)
        notify(alice, thing=2)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notifications_digest_send() == 1
        (digest,) = mail.outbox
        assert digest.to == [alice.email]
        assert "thing=1" in digest.body
        assert "thing=2" in digest.body
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notifications_digest_send() == 0
        notify(alice, thing=3)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notifications_digest_send() == 1
        assert "thing=3" in mail.outbox[1].body
        assert "thing=1" not in mail.outbox[1].body

    def test_account_mails_speak_as_reciproque(self, client, django_capture_on_commit_callbacks):
        alice = UserFactory(preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/comptes/password/reset/", {"email": alice.email})
        (sent,) = mail.outbox
        assert isinstance(sent, EmailMultiAlternatives)
        assert "127.0.0.1:8000 !" not in sent.body
        assert "Hello from 127.0.0.1" not in sent.body
        assert "Réciproque" in sent.subject
        assert "Réciproque" in sent.body
        assert "List-Unsubscribe" not in sent.extra_headers  # security: cannot be switched off
        assert sent.alternatives
        assert "Password" in sent.subject


class TestApi:
    def test_list_count_mark_and_someone_elses_is_404(self, client):
        alice, bob = UserFactory(), UserFactory()
        notify(alice, thing=1)
        notify(alice, thing=2)
        notify(bob, thing=3)
        client.force_login(alice)
        page = client.get("/api/v1/notifications?limit=1").json()
        assert [n["link"] for n in page["items"]] == ["/employeur/?thing=2"]
        assert page["items"][0]["text"].startswith("Votre emploi")
        rest = client.get(f"/api/v1/notifications?limit=1&cursor={page['next']}").json()
        assert [n["link"] for n in rest["items"]] == ["/employeur/?thing=1"]
        assert rest["next"] is None
        assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
        mine = page["items"][0]["id"]
        assert client.post(f"/api/v1/notifications/{mine}/read").json()["read"] is True
        theirs = Notification.objects.get(user=bob).pk
        with assert_nothing_written():
            assert client.post(f"/api/v1/notifications/{theirs}/read").status_code == 404
            assert client.get(f"/api/v1/notifications/{theirs}").status_code == 404
        assert (
            client.get("/api/v1/notifications?unread=true").json()["items"][0]["link"]
            == "/employeur/?thing=1"
        )
        assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1, "unread": 0}
        assert Notification.objects.get(user=bob).read_at is None

    def test_preferences_get_put_and_security_cannot_be_off(self, client):
        alice = UserFactory()
        client.force_login(alice)
        assert client.get("/api/v1/notifications/preferences").json()["security"] == "immediate"
        ok = client.put(
            "/api/v1/notifications/preferences", {"message": "digest"}, content_type="application/json"
        )
        assert ok.status_code == 200
        assert ok.json()["message"] == "digest"
        with assert_nothing_written():
            refused = client.put(
                "/api/v1/notifications/preferences",
                {"proposal": "off", "security": "off"},
                content_type="application/json",
            )
            assert refused.status_code == 422
            assert "security" in str(refused.json()["detail"])
            bad = client.put(
                "/api/v1/notifications/preferences", {"message": "sometimes"}, content_type="application/json"
            )
            assert bad.status_code == 422
        assert selectors.preferences_of(alice)["proposal"] == "immediate"

    def test_anonymous_is_refused(self, client):
        assert client.get("/api/v1/notifications").status_code == 401


class TestPages:
    def test_centre_lists_and_preferences_page_saves(self, client):
        alice = UserFactory()
        notify(alice)
        client.force_login(alice)
        page = client.get("/notifications/").content.decode()
        assert "Votre emploi : ok par votre employeur." in page
        assert "data-notification-bell" in page
        response = client.post(
            "/notifications/preferences/",
            {
                "message": "digest",
                "proposal": "off",
                "agreement": "immediate",
                "voucher": "immediate",
                "account": "digest",
            },
        )
        assert response.status_code == 303
        assert selectors.preferences_of(alice)["account"] == "digest"
        assert selectors.preferences_of(alice)["security"] == "immediate"


class TestPrivacy:
    def test_export_and_erasure(self):
        from marketplace.accounts.privacy import erase_everywhere, export_sections

        alice = UserFactory()
        notify(alice)
        services.preferences_set(actor=alice, deliveries={"message": "off"})
        exported = export_sections(alice)["notifications"]
        assert exported["preferences"] == {"message": "off"}
        assert len(exported["notifications"]) == 1
        erase_everywhere(alice)
        assert not Notification.objects.filter(user=alice).exists()
        assert not Preference.objects.filter(user=alice).exists()


def test_an_event_with_a_topic_but_no_text_is_refused_when_declared():
    from dataclasses import dataclass

    from marketplace.events import Event, event, registered_events

    with pytest.raises(TypeError, match="no text"):

        @event("test.wordless")
        @dataclass(frozen=True)
        class Wordless(Event):
            topic = "account"

    assert "test.wordless" not in registered_events()
