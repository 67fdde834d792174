"""Attachments: checked by content, stored privately, served to participants only; safe rendering."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from marketplace.messaging import services
from marketplace.messaging.models import Attachment, Message
from marketplace.messaging.rendering import message_html
from tests.accounts.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def pdf_bytes(javascript: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(client, chat, name: str, content: bytes, as_user=None):
    client.force_login(as_user or chat.alice)
    return client.post(
        f"/api/v1/conversations/{chat.conversation.pk}/attachments",
        {"file": SimpleUploadedFile(name, content)},
    )


def test_image_is_reencoded_without_gps_and_sent_with_a_message(client, chat):
    response = upload(client, chat, "vue.jpg", jpeg_with_gps((800, 600)))
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    with Image.open(attachment.file.open("rb")) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    sent = client.post(
        f"/api/v1/conversations/{chat.conversation.pk}/messages",
        {"text": "", "client_id": "c1", "attachment": attachment.pk},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["attachment"]["id"] == attachment.pk
    client.force_login(chat.bob)
    served = client.get(sent.json()["attachment"]["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    client.force_login(chat.outsider)
    assert client.get(sent.json()["attachment"]["url"]).status_code == 404


def test_an_unsent_attachment_is_seen_by_its_uploader_only(client, chat):
    response = upload(client, chat, "doc.pdf", pdf_bytes())
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    client.force_login(chat.bob)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("evil.pdf", pdf_bytes(javascript=True), "code"),
        ("cut.pdf", pdf_bytes()[:-40], "incomplet"),
        ("fake.jpg", b"<script>alert(1)</script>", "image"),
        ("empty.png", b"", "vide"),
        ("junk.pdf", b"%PDF-1.7\n garbage \n%%EOF", "illisible"),
    ],
)
def test_hostile_files_are_refused_naming_the_problem_and_nothing_is_written(
    client, chat, name, content, words
):
    response = upload(client, chat, name, content)
    assert response.status_code in (400, 422), response.content
    assert words in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_outsider_cannot_upload_nor_send_someone_elses_attachment(client, chat):
    assert upload(client, chat, "doc.pdf", pdf_bytes(), as_user=chat.outsider).status_code == 404
    attachment_id = upload(client, chat, "doc.pdf", pdf_bytes()).json()["id"]
    client.force_login(chat.bob)
    sent = client.post(
        f"/api/v1/conversations/{chat.conversation.pk}/messages",
        {"text": "voilà", "client_id": "b1", "attachment": attachment_id},
        content_type="application/json",
    )
    assert sent.status_code == 422
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        (
            "voir https://example.org/a?b=1&c=2.",
            'voir <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" '
            'target="_blank">https://example.org/a?b=1&amp;c=2</a>.',
        ),
        (
            'https://x.org/"onmouseover="alert(1)',
            '<a href="https://x.org/" rel="nofollow noopener noreferrer" target="_blank">https://x.org/</a>&quot;onmouseover=&quot;alert(1)',
        ),
        ("a\nb", "a<br>b"),
    ],
)
def test_message_text_is_escaped_and_only_http_links_are_made(text, expected):
    assert message_html(text) == expected


def test_files_never_sent_are_purged_after_a_day_by_the_worker(
    client, chat, django_capture_on_commit_callbacks
):
    from procrastinate.contrib.django import app

    from marketplace.messaging import services
    from marketplace.messaging.tasks import attachments_purge_unsent_task

    periodic = {key[1]: task for key, task in app.periodic_registry.periodic_tasks.items()}
    assert periodic["attachments_purge_unsent"].task is attachments_purge_unsent_task
    for name in ("ancienne.jpg", "envoyee.jpg", "recente.jpg"):
        assert upload(client, chat, name, jpeg_with_gps((40, 30))).status_code == 201
    old, sent, recent = Attachment.objects.order_by("pk")
    sent_response = client.post(
        f"/api/v1/conversations/{chat.conversation.pk}/messages",
        {"text": "", "client_id": "c-sent", "attachment": sent.pk},
        content_type="application/json",
    )
    assert sent_response.status_code == 201, sent_response.content
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    Attachment.objects.filter(pk__in=[old.pk, sent.pk]).update(created_at=two_days_ago)
    storage, old_name = old.file.storage, old.file.name
    assert storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.attachments_purge_unsent() == 1

    assert set(Attachment.objects.values_list("pk", flat=True)) == {sent.pk, recent.pk}
    assert not storage.exists(old_name)
    assert storage.exists(sent.file.name)
    assert storage.exists(recent.file.name)


def test_two_people_loading_one_image_at_once_each_get_all_of_it(rf, chat):
    """Both participants' pages ask for a new photo at the same moment: the second response, made while the
    first is still to be sent, must carry the whole file too (a shared read position gave it nothing under
    the Content-Length of the whole file, and the browser waited for the rest)."""
    from marketplace.messaging.views import attachment_download

    content = jpeg_with_gps((640, 480))
    attachment = services.attachment_upload(
        actor=chat.alice, conversation=chat.conversation, upload=SimpleUploadedFile("vue.jpg", content)
    )
    services.message_send(
        actor=chat.alice, conversation=chat.conversation, text="", client_id="c1", attachment=attachment.pk
    )
    stored = attachment.file.open("rb").read()
    assert len(stored) > 1000
    responses = []
    for user in (chat.alice, chat.bob):
        request = rf.get(f"/messages/pieces-jointes/{attachment.pk}/")
        request.user = user
        responses.append(attachment_download(request, attachment_id=attachment.pk))
    for response in responses:  # sent one after the other, both made first
        assert int(response["Content-Length"]) == len(stored)
        assert response.getvalue() == stored


@pytest.mark.parametrize("alias", ["default", "private"])
def test_every_open_of_a_stored_file_reads_it_from_the_start(alias):
    """As on disk: two readers of one stored name each read it whole, whatever the other read."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storage = storages[alias]
    name = storage.save("essais/lecteurs.bin", ContentFile(b"0123456789" * 100))
    try:
        first, second = storage.open(name, "rb"), storage.open(name, "rb")
        assert first.read(10) == b"0123456789"
        assert second.read() == b"0123456789" * 100
        assert first.read() == b"0123456789" * 99
    finally:
        storage.delete(name)
