"""The agreements API walked by every actor: the provider's correspondent proposes, the officer of the
territory decides, nobody decides their own case, the invisible is a 404, a wrong field a 422 naming it, a
wrong state a 409, and nothing is written on failure."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from local_offers.agreements import services
from local_offers.models import Agreement, AgreementStatus
from marketplace.audit.models import AuditEvent
from marketplace.messaging.models import Conversation, Message
from marketplace.organisations.models import StaffRoleKind
from tests.factories.organisations import StaffRoleFactory
from tests.helpers import assert_nothing_written
from tests.local_offers.agreements.conftest import pdf_bytes, terms
from tests.organisations.test_api import client_for, post

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements"


def put(client, url, data):
    return client.put(
        url, data, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )


def upload(client, agreement_id, name, content):
    return client.post(
        f"{URL}/{agreement_id}/document",
        {"document": SimpleUploadedFile(name, content)},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def test_the_whole_cycle_through_the_api(scene):
    cast = scene.cast
    correspondent = client_for(cast.correspondent)
    created = post(correspondent, URL, {"organisation_id": cast.grenoble.pk, **terms([scene.facility])})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["facilities"] == [{"id": scene.facility.pk, "name": scene.facility.name, "departement": "38"}]
    assert body["valid_until"] == terms([scene.facility])["valid_until"]
    pk = body["id"]
    # Submitting without the signed document: 422 naming it.
    with assert_nothing_written():
        refused = post(correspondent, f"{URL}/{pk}/submit")
    assert refused.status_code == 422
    assert refused.json()["detail"]["errors"][0]["field"] == "document"
    assert upload(correspondent, pk, "signée.pdf", pdf_bytes()).status_code == 200
    submitted = post(correspondent, f"{URL}/{pk}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["officer_id"] in (cast.officer.pk, scene.second_officer.pk)

    officer = client_for(cast.officer)
    assert [a["id"] for a in officer.get(URL).json()] == [pk]
    assert post(officer, f"{URL}/{pk}/start-review").json()["status"] == "under_review"
    # A request for changes needs a comment.
    with assert_nothing_written():
        empty = post(officer, f"{URL}/{pk}/request-changes", {"comment": " "})
    assert empty.status_code == 422
    assert empty.json()["detail"]["errors"][0]["field"] == "comment"
    changes = post(officer, f"{URL}/{pk}/request-changes", {"comment": "Précisez les conditions."})
    assert changes.json()["status"] == "changes_requested"
    edited = put(correspondent, f"{URL}/{pk}", terms([scene.facility], conditions="Le week-end seulement."))
    assert edited.status_code == 200, edited.content
    assert edited.json()["conditions"] == "Le week-end seulement."
    assert post(correspondent, f"{URL}/{pk}/resubmit", {"comment": "C'est fait."}).json()["status"] == (
        "resubmitted"
    )
    approved = post(officer, f"{URL}/{pk}/approve", {"comment": "Conforme."})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "active"  # its validity began today

    events = list(
        AuditEvent.objects.filter(object_type="local_offers.agreement", object_id=str(pk))
        .order_by("pk")
        .values_list("transition", "from_state", "to_state")
    )
    assert events == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("request_changes", "under_review", "changes_requested"),
        ("resubmit", "changes_requested", "resubmitted"),
        ("approve", "resubmitted", "approved"),
        ("activate", "approved", "active"),
    ]
    conversation = Conversation.objects.get(subject_type="agreement", subject_id=pk)
    texts = list(
        Message.objects.filter(conversation=conversation).order_by("pk").values_list("text", flat=True)
    )
    assert len(texts) == 5
    assert "Précisez les conditions." in texts[2]
    # The document: the provider's correspondents and the territory's officers only.
    assert correspondent.get(f"{URL}/{pk}/document")["Content-Type"] == "application/pdf"
    assert officer.get(f"{URL}/{pk}/document").status_code == 200
    assert client_for(scene.savoie_officer).get(f"{URL}/{pk}/document").status_code == 404
    assert client_for(cast.agent).get(f"{URL}/{pk}/document").status_code == 404


@pytest.mark.parametrize(
    ("who", "list_sees", "read", "submit"),
    [
        ("correspondent", True, 200, 200),
        ("other_correspondent", False, 404, 404),
        ("desk", False, 404, 404),
        ("officer", True, 200, 403),
        ("savoie_officer", False, 404, 404),
        ("agent", False, 404, 404),
    ],
)
def test_every_actor_on_a_draft(scene, who, list_sees, read, submit):
    agreement = scene.draft()
    user = getattr(scene, who, None) or getattr(scene.cast, who)
    client = client_for(user)
    assert (agreement.pk in [a["id"] for a in client.get(URL).json()]) is list_sees
    assert client.get(f"{URL}/{agreement.pk}").status_code == read
    if submit != 200:
        with assert_nothing_written():
            assert post(client, f"{URL}/{agreement.pk}/submit").status_code == submit
    else:
        assert post(client, f"{URL}/{agreement.pk}/submit").status_code == 200


@pytest.mark.parametrize("decision", ["start-review", "approve", "reject", "request-changes"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("correspondent", 403),
        ("other_correspondent", 404),
        ("savoie_officer", 404),
        ("agent", 404),
        ("desk", 404),
    ],
)
def test_only_the_territory_officer_decides(scene, decision, who, status):
    agreement = scene.submitted()
    if decision != "start-review":
        services.agreement_start_review(actor=scene.cast.officer, agreement=agreement)
    client = client_for(getattr(scene, who, None) or getattr(scene.cast, who))
    with assert_nothing_written():
        assert post(client, f"{URL}/{agreement.pk}/{decision}", {"comment": "x"}).status_code == status


def test_nobody_decides_their_own_case(scene):
    """An officer of Isère who is also a correspondent of the provider cannot decide its agreement."""
    StaffRoleFactory(
        organisation=scene.cast.grenoble, user=scene.second_officer, role=StaffRoleKind.CORRESPONDENT
    )
    agreement = scene.submitted()
    assert agreement.officer_id == scene.cast.officer.pk  # never assigned to a party
    client = client_for(scene.second_officer)
    with assert_nothing_written():
        assert post(client, f"{URL}/{agreement.pk}/start-review").status_code == 403


def test_wrong_state_is_409_with_nothing_written(scene):
    agreement = scene.approved()
    officer = client_for(scene.cast.officer)
    correspondent = client_for(scene.cast.correspondent)
    with assert_nothing_written():
        assert post(officer, f"{URL}/{agreement.pk}/approve").status_code == 409
        assert post(correspondent, f"{URL}/{agreement.pk}/submit").status_code == 409
        assert put(correspondent, f"{URL}/{agreement.pk}", terms([scene.facility])).status_code == 409
        assert upload(correspondent, agreement.pk, "x.pdf", pdf_bytes()).status_code == 409


def test_two_versions_in_force_for_one_facility_and_benefit_is_409(scene):
    scene.approved()
    second = scene.submitted()
    officer = client_for(scene.cast.officer)
    post(officer, f"{URL}/{second.pk}/start-review")
    with assert_nothing_written():
        clash = post(officer, f"{URL}/{second.pk}/approve")
    assert clash.status_code == 409, clash.content
    assert clash.json()["detail"]["constraint"] == "agreement_in_force_no_overlap"
    assert Agreement.objects.get(pk=second.pk).status == AgreementStatus.UNDER_REVIEW
    # Another benefit at the same facility, or the next period, is fine.
    other = scene.submitted(benefit_kind="free", benefit_value=None)
    post(officer, f"{URL}/{other.pk}/start-review")
    assert post(officer, f"{URL}/{other.pk}/approve").json()["status"] == "active"


def test_renewal_is_a_new_version_following_the_previous(scene):
    first = scene.approved()
    correspondent = client_for(scene.cast.correspondent)
    renewed = post(correspondent, f"{URL}/{first.pk}/renew")
    assert renewed.status_code == 201, renewed.content
    body = renewed.json()
    assert (body["version"], body["previous_id"], body["status"]) == (2, first.pk, "draft")
    assert dt.date.fromisoformat(body["valid_from"]) == first.validity.upper
    # It does not overlap the first: once approved both are in force, one after the other.
    upload(correspondent, body["id"], "v2.pdf", pdf_bytes())
    post(correspondent, f"{URL}/{body['id']}/submit")
    officer = client_for(scene.cast.officer)
    post(officer, f"{URL}/{body['id']}/start-review")
    assert post(officer, f"{URL}/{body['id']}/approve").json()["status"] == "approved"  # starts next year
    with assert_nothing_written():
        assert post(correspondent, f"{URL}/{first.pk}/renew").status_code == 409  # renewed once


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("facility_ids", []),
        ("benefit_kind", "half"),
        ("benefit_value", "120"),
        ("party_max", 0),
        ("valid_until", "2000-01-01"),
        ("audience_departements", ["999"]),
        ("quota_total", -1),
    ],
)
def test_bad_input_names_the_field(scene, field, value):
    client = client_for(scene.cast.correspondent)
    with assert_nothing_written():
        response = post(
            client,
            URL,
            {"organisation_id": scene.cast.grenoble.pk, **terms([scene.facility], **{field: value})},
        )
    assert response.status_code == 422, response.content
    assert response.json()["detail"]["errors"][0]["field"] in (field, "audience_departements")


def test_a_facility_of_another_employer_is_refused(scene):
    from tests.factories.local_offers import CHAMBERY, make_facility

    theirs = make_facility(
        scene.cast.other_correspondent, scene.cast.chambery, lon=CHAMBERY[0], lat=CHAMBERY[1]
    )
    client = client_for(scene.cast.correspondent)
    with assert_nothing_written():
        response = post(client, URL, {"organisation_id": scene.cast.grenoble.pk, **terms([theirs])})
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["field"] == "facility_ids"
    with assert_nothing_written():
        other = post(client, URL, {"organisation_id": scene.cast.chambery.pk, **terms([theirs])})
    assert other.status_code == 404


def test_officer_suspends_reinstates_and_terminates_with_a_reason(scene):
    agreement = scene.approved()
    officer = client_for(scene.cast.officer)
    with assert_nothing_written():
        assert post(officer, f"{URL}/{agreement.pk}/suspend", {"comment": ""}).status_code == 422
    assert (
        post(officer, f"{URL}/{agreement.pk}/suspend", {"comment": "Plaintes"}).json()["status"]
        == "suspended"
    )
    assert post(officer, f"{URL}/{agreement.pk}/reinstate").json()["status"] == "active"
    assert post(officer, f"{URL}/{agreement.pk}/terminate", {"comment": "Fermeture"}).json()["status"] == (
        "terminated"
    )
    # Its facility is free again for a new version.
    again = scene.submitted()
    services.agreement_start_review(actor=scene.cast.officer, agreement=again)
    assert (
        services.agreement_approve(actor=scene.cast.officer, agreement=again).status == AgreementStatus.ACTIVE
    )


def test_withdraw_by_the_correspondent_and_reassignment_by_an_officer(scene):
    agreement = scene.submitted()
    officer = client_for(scene.cast.officer)
    with assert_nothing_written():
        bad = post(officer, f"{URL}/{agreement.pk}/assign", {"officer_id": scene.savoie_officer.pk})
    assert bad.status_code == 422
    assert bad.json()["detail"]["errors"][0]["field"] == "officer_id"
    assigned = post(officer, f"{URL}/{agreement.pk}/assign", {"officer_id": scene.second_officer.pk})
    assert assigned.json()["officer_id"] == scene.second_officer.pk
    correspondent = client_for(scene.cast.correspondent)
    with assert_nothing_written():
        assert (
            post(
                correspondent, f"{URL}/{agreement.pk}/assign", {"officer_id": scene.cast.officer.pk}
            ).status_code
            == 403
        )
    assert (
        post(correspondent, f"{URL}/{agreement.pk}/withdraw", {"comment": "Erreur"}).json()["status"]
        == "withdrawn"
    )
