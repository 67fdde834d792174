"""Facility services: territories derived from the point, inputs checked (nothing written on a refusal), the
workflow and who may run it, opening hours and closures, subsidised structures."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import NumericRange

from geo.exceptions import PointOutsideFrance
from geo.models import Commune
from local_offers import services
from local_offers.exceptions import (
    ExternalIdTaken,
    FacilityWrongState,
    NotFacilityManager,
    OrganisationNotManaged,
    OrganisationNotMember,
)
from local_offers.models import Facility, FacilityStatus
from local_offers.validators import siret_complete, siret_is_valid
from marketplace.audit.models import AuditEvent
from marketplace.errors import InvalidField
from marketplace.organisations.models import MembershipPeriod
from tests.factories.local_offers import GRENOBLE, make_facility
from tests.helpers import assert_nothing_written


def test_a_facility_takes_its_territories_from_its_point(cast):
    facility = make_facility(
        cast.correspondent, cast.grenoble, phone="04 76 00 00 00", email="Musee@Grenoble.FR"
    )
    assert (facility.commune_id, facility.departement_id, facility.region_id) == ("38185", "38", "84")
    assert facility.status == FacilityStatus.DRAFT
    assert facility.phone == "0476000000"
    assert facility.email == "Musee@grenoble.fr"
    assert list(facility.opening_hours.values_list("weekday", flat=True)) == [1, 2, 3, 4, 5]
    assert facility.opening_hours.get(weekday=1).minutes == NumericRange(540, 1080)


def test_the_database_holds_a_facility_to_its_communes_territories(cast):
    """One composite key (commune, département, région) → the commune's own: a facility placed in another
    département than its commune's is refused by the database itself, and the territory data moving a
    commune carries its facilities along (ON UPDATE CASCADE)."""
    facility = make_facility(cast.correspondent, cast.grenoble)

    def moved(**territory: str) -> None:
        with transaction.atomic():
            Facility.objects.filter(pk=facility.pk).update(**territory)
            connection.check_constraints()  # the deferred key checked now rather than at commit

    with pytest.raises(IntegrityError):
        moved(departement_id="73")
    with pytest.raises(IntegrityError):
        moved(commune_id="73065", departement_id="38")
    moved(commune_id="73065", departement_id="73")  # Chambéry, Savoie, same région: accepted
    moved(commune_id="38185", departement_id="38")
    # Rolled back with the test: the real territories stay as they were.
    Commune.objects.filter(code="38185").update(departement_id="73")
    connection.check_constraints()
    facility.refresh_from_db()
    assert (facility.commune_id, facility.departement_id, facility.region_id) == ("38185", "73", "84")


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(-3.0, 46.5), (13.4, 52.5)],  # the Bay of Biscay, Berlin
    ids=["at-sea", "abroad"],
)
def test_points_outside_france_or_at_sea_are_refused(cast, lon, lat):
    with assert_nothing_written(), pytest.raises(PointOutsideFrance):
        make_facility(cast.correspondent, cast.grenoble, lon=lon, lat=lat)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "pas une adresse"}, "website"),
        ({"phone": "12"}, "phone"),
        ({"email": "personne@"}, "email"),
        ({"name": "\u202eevil"}, "name"),
        ({"category": "casino"}, "category"),
        ({"opening_hours": [{"weekday": 1, "opens": "18:00", "closes": "09:00"}]}, "opening_hours.0.closes"),
        ({"opening_hours": [{"weekday": 8, "opens": "09:00", "closes": "10:00"}]}, "opening_hours.0.weekday"),
        ({"opening_hours": [{"weekday": 1, "opens": "9h", "closes": "10:00"}]}, "opening_hours.0.opens"),
        (
            {
                "opening_hours": [
                    {"weekday": 2, "opens": "09:00", "closes": "12:00"},
                    {"weekday": 2, "opens": "11:30", "closes": "18:00"},
                ]
            },
            "opening_hours.1",
        ),
        ({"closures": [{"start": dt.date(2027, 5, 2), "end": dt.date(2027, 5, 1)}]}, "closures.0.end"),
        (
            {
                "closures": [
                    {"start": dt.date(2027, 5, 1), "end": dt.date(2027, 5, 10)},
                    {"start": dt.date(2027, 5, 5), "end": dt.date(2027, 5, 6)},
                ]
            },
            "closures.1",
        ),
        ({"structure_id": 999_999}, "structure_id"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(cast, fields, field):
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        make_facility(cast.correspondent, cast.grenoble, **fields)
    assert error.value.field == field


def test_only_correspondents_of_the_employer_create(cast):
    for actor in (cast.other_correspondent, cast.desk, cast.officer, cast.agent):
        with assert_nothing_written(), pytest.raises(OrganisationNotManaged):
            make_facility(actor, cast.grenoble)
    assert make_facility(cast.admin, cast.grenoble).organisation == cast.grenoble


def test_external_id_is_unique_per_employer(cast):
    make_facility(cast.correspondent, cast.grenoble, external_id="MUS-01")
    with assert_nothing_written(), pytest.raises(ExternalIdTaken):
        make_facility(cast.correspondent, cast.grenoble, external_id="MUS-01")
    # Another employer may use the same id in its own file.
    assert (
        make_facility(cast.other_correspondent, cast.chambery, external_id="MUS-01").external_id == "MUS-01"
    )
    # No id, any number of times; the database itself refuses a second "MUS-01" written past the service.
    assert [make_facility(cast.correspondent, cast.grenoble).external_id for _ in range(2)] == ["", ""]
    first = Facility.objects.with_external_id(cast.grenoble.pk, "MUS-01").get()
    assert list(Facility.objects.with_external_id(cast.grenoble.pk, "")) == []
    twin = Facility.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(IntegrityError, match="facility_external_id_once_per_org"), transaction.atomic():
        twin.save()


def test_the_workflow_writes_its_events_and_refuses_others(cast):
    facility = make_facility(cast.correspondent, cast.grenoble)
    with assert_nothing_written(), pytest.raises(NotFacilityManager):
        services.facility_publish(actor=cast.other_correspondent, facility=facility)
    services.facility_publish(actor=cast.correspondent, facility=facility)
    with assert_nothing_written(), pytest.raises(FacilityWrongState):
        services.facility_publish(actor=cast.correspondent, facility=facility)
    services.facility_unpublish(actor=cast.correspondent, facility=facility)
    services.facility_archive(actor=cast.correspondent, facility=facility)
    with assert_nothing_written(), pytest.raises(FacilityWrongState):
        services.facility_update(actor=cast.correspondent, facility=facility, name="Autre nom")
    services.facility_restore(actor=cast.correspondent, facility=facility)
    events = AuditEvent.objects.filter(object_type="local_offers.facility", object_id=str(facility.pk))
    assert [(e.transition, e.from_state, e.to_state) for e in events.order_by("pk")] == [
        ("publish", "draft", "published"),
        ("unpublish", "published", "draft"),
        ("archive", "draft", "archived"),
        ("restore", "archived", "draft"),
    ]
    assert set(events.values_list("actor", flat=True)) == {cast.correspondent.pk}


def test_an_employer_whose_membership_lapsed_does_not_publish(cast):
    facility = make_facility(cast.correspondent, cast.grenoble)
    MembershipPeriod.objects.filter(organisation=cast.grenoble).delete()
    with assert_nothing_written(), pytest.raises(OrganisationNotMember):
        services.facility_publish(actor=cast.correspondent, facility=facility)


def test_editing_moves_the_territories_and_replaces_the_hours(cast):
    facility = make_facility(cast.correspondent, cast.grenoble)
    services.facility_update(
        actor=cast.correspondent,
        facility=facility,
        lon=5.9178,
        lat=45.5646,
        opening_hours=[{"weekday": 6, "opens": "10:00", "closes": "24:00"}],
        closures=[{"start": dt.date(2027, 12, 24), "end": dt.date(2027, 12, 27), "reason": "Noël"}],
        access_motor=True,
    )
    facility.refresh_from_db()
    assert facility.commune_id == "73065"
    assert facility.access_motor
    assert [(h.weekday, h.minutes) for h in facility.opening_hours.all()] == [(6, NumericRange(600, 1440))]
    assert facility.closures.get().reason == "Noël"
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        services.facility_update(actor=cast.correspondent, facility=facility, lon=GRENOBLE[0])
    assert error.value.field == "lat"


def test_structures_carry_a_luhn_checked_siret(cast):
    siret = siret_complete("2138018500001")
    assert siret_is_valid(siret)
    assert not siret_is_valid(siret[:-1] + str((int(siret[-1]) + 1) % 10))
    assert siret_is_valid("35600000000048")  # La Poste's head office: Luhn
    assert siret_is_valid("35600000012346")  # a post office: digit sum a multiple of 5, no Luhn
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        services.structure_create(
            actor=cast.correspondent, organisation=cast.grenoble, name="SEM", siret="12345678901234"
        )
    assert error.value.field == "siret"
    structure = services.structure_create(
        actor=cast.correspondent, organisation=cast.grenoble, name="Association du musée", siret=siret
    )
    facility = make_facility(cast.correspondent, cast.grenoble, structure_id=structure.pk)
    assert facility.structure == structure
    # A structure of another employer cannot run this one's facility.
    other = services.structure_create(
        actor=cast.other_correspondent, organisation=cast.chambery, name="SEM savoyarde", siret=siret
    )
    with assert_nothing_written(), pytest.raises(InvalidField):
        services.facility_update(actor=cast.correspondent, facility=facility, structure_id=other.pk)
    assert Facility.objects.count() == 1
