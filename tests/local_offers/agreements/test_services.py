"""Agreements beyond the API: hostile signed documents, the daily tick (activation, expiry, reminders 60
and 15 days ahead) with time frozen, the search filter and the offer page's benefit."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from local_offers.agreements import services
from local_offers.models import Agreement, AgreementStatus, Facility
from marketplace.errors import InvalidField
from marketplace.notifications.models import Notification
from tests.helpers import assert_nothing_written
from tests.local_offers.agreements.conftest import pdf_bytes
from tests.organisations.test_api import client_for

pytestmark = pytest.mark.django_db


def _pdf(mutate) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind: str):
    def mutate(writer: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        if kind == "/JavaScript":
            action[NameObject("/JS")] = TextStringObject("app.alert(1)")
        else:
            action[NameObject("/F")] = TextStringObject("calc.exe")
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return mutate


def _encrypted(writer: PdfWriter) -> None:
    writer.encrypt("secret")


def _open_action_uri(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://x")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _open_destination(writer: PdfWriter) -> None:
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
    writer._root_object[NameObject("/PageMode")] = NameObject("/UseNone")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("js.pdf", _pdf(_open_action("/JavaScript")), "code"),
        ("launch.pdf", _pdf(_open_action("/Launch")), "code"),
        ("open-uri.pdf", _pdf(_open_action_uri), "code"),
        ("locked.pdf", _pdf(_encrypted), "chiffrés"),
        ("cut.pdf", pdf_bytes()[:-40], "incomplet"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "pas un PDF"),
        ("junk.pdf", b"%PDF-1.7\n garbage \n%%EOF", "illisible"),
        ("empty.pdf", b"", "vide"),
        ("big.pdf", pdf_bytes()[:-6] + b" " * (5 * 1024 * 1024) + b"%%EOF\n", "dépasse"),
    ],
)
def test_hostile_documents_are_refused_naming_the_field(scene, name, content, words):
    agreement = scene.draft()
    with assert_nothing_written(), pytest.raises(InvalidField) as refused:
        services.agreement_document_upload(
            actor=scene.cast.correspondent, agreement=agreement, upload=SimpleUploadedFile(name, content)
        )
    assert refused.value.field == "document"
    assert words in refused.value.field_message


def test_a_pdf_opening_on_its_first_page_is_accepted(scene):
    agreement = scene.draft()
    services.agreement_document_upload(
        actor=scene.cast.correspondent,
        agreement=agreement,
        upload=SimpleUploadedFile("ok.pdf", _pdf(_open_destination)),
    )
    assert Agreement.objects.get(pk=agreement.pk).document


def test_tick_activates_reminds_60_then_15_days_ahead_then_expires(scene):
    start = dt.date(2027, 3, 1)
    with time_machine.travel(dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        agreement = scene.submitted(valid_from="2027-03-01", valid_until="2027-06-30")
        services.agreement_start_review(actor=scene.cast.officer, agreement=agreement)
        services.agreement_approve(actor=scene.cast.officer, agreement=agreement)
        assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.APPROVED
    assert services.agreements_tick(today=start - dt.timedelta(days=1))["activated"] == 0
    assert services.agreements_tick(today=start)["activated"] == 1
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE

    def reminders() -> set[tuple[int, str]]:
        rows = Notification.objects.filter(topic="agreement", payload__transition__startswith="remind")
        return {(n.user_id, n.payload["transition"]) for n in rows}

    # Its last day is 30 June: 60 days ahead is 1 May, 15 days ahead 15 June.
    assert services.agreements_tick(today=dt.date(2027, 4, 30))["reminded"] == 0
    assert services.agreements_tick(today=dt.date(2027, 5, 1))["reminded"] == 1
    assert services.agreements_tick(today=dt.date(2027, 5, 2))["reminded"] == 0  # once
    assert reminders() == {(scene.cast.correspondent.pk, "remind_60"), (scene.cast.officer.pk, "remind_60")}
    assert services.agreements_tick(today=dt.date(2027, 6, 14))["reminded"] == 0
    assert services.agreements_tick(today=dt.date(2027, 6, 15))["reminded"] == 1
    assert (scene.cast.officer.pk, "remind_15") in reminders()
    assert services.agreements_tick(today=dt.date(2027, 6, 30))["expired"] == 0  # its last day
    assert services.agreements_tick(today=dt.date(2027, 7, 1))["expired"] == 1
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.EXPIRED


def test_late_reviews_are_flagged_on_the_officer_queue(scene):
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        early = scene.submitted(valid_from="2027-02-01", valid_until="2027-12-31")
    with time_machine.travel(dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        recent = scene.submitted(
            benefit_kind="free", benefit_value=None, valid_from="2027-02-01", valid_until="2027-12-31"
        )
    with time_machine.travel(dt.datetime(2027, 1, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        page = client_for(scene.cast.officer).get("/offres/conventions/")
        assert page.status_code == 200
        queue = [row[0].pk for row in page.context["queue"]]
        assert queue == [early.pk, recent.pk]  # the longest waiting first
        assert [a.pk for a in page.context["late"]] == [early.pk]
        assert "depuis plus de 10 jours" in page.content.decode()


def test_search_filter_and_offer_page_show_active_agreements(scene):
    other = Facility.objects.get(pk=scene.facility.pk)
    agreement = scene.approved()
    client = client_for(scene.cast.agent)
    today = dt.date.today().isoformat()
    found = client.get(f"/api/v1/facilities?covered={today}").json()["items"]
    assert [f["id"] for f in found] == [other.pk]
    later = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    assert client.get(f"/api/v1/facilities?covered={later}").json()["items"] == []
    page = client.get(f"/offres/equipements/{scene.facility.pk}/")
    assert "30 % de réduction" in page.content.decode()
    services.agreement_suspend(actor=scene.cast.officer, agreement=agreement, comment="Travaux")
    assert client.get(f"/api/v1/facilities?covered={today}").json()["items"] == []
    assert "30 % de réduction" not in client.get(f"/offres/equipements/{scene.facility.pk}/").content.decode()


@pytest.mark.parametrize(
    ("who", "detail", "document"),
    [
        ("correspondent", 200, 200),
        ("officer", 200, 200),
        ("savoie_officer", 404, 404),
        ("other_correspondent", 404, 404),
        ("agent", 404, 404),
    ],
)
def test_pages_walked_by_every_actor(scene, who, detail, document):
    agreement = scene.submitted()
    client = client_for(getattr(scene, who, None) or getattr(scene.cast, who))
    assert client.get(f"/offres/conventions/{agreement.pk}/").status_code == detail
    assert client.get(f"/offres/conventions/{agreement.pk}/document/").status_code == document
    # Approving before the review started: refused (a 404 for whoever may not see it), nothing written.
    with assert_nothing_written():
        response = client.post(
            f"/offres/conventions/{agreement.pk}/decision/",
            {"transition": "approve"},
            HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        )
    if detail == 404:
        assert response.status_code == 404
    else:
        assert response.status_code != 200
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUBMITTED


def test_offers_map_checkbox_keeps_the_facilities_with_a_benefit_today(scene):
    from tests.factories.local_offers import make_facility

    scene.approved()
    plain = make_facility(
        scene.cast.correspondent, scene.cast.grenoble, name="Piscine sans convention", publish=True
    )
    client = client_for(scene.cast.agent)
    every = client.get("/offres/").content.decode()
    assert plain.name in every
    assert scene.facility.name in every
    covered = client.get("/offres/?with_benefit=on").content.decode()
    assert scene.facility.name in covered
    assert plain.name not in covered
