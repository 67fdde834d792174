"""Writes on facilities, their opening hours, closures and photos, and on subsidised structures.

One transaction each; the permission (an active correspondent of the facility's employer, or an
administrator) is re-checked on the locked row. Statuses change only through the workflow declared on
`Facility` (`marketplace.workflows.transition_run`), which writes the audit event.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateRange, NumericRange
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from geo.selectors import check_coordinates, territory_for_point
from local_offers.exceptions import (
    ExternalIdTaken,
    FacilityWrongState,
    NotFacilityManager,
    OrganisationNotManaged,
    OrganisationNotMember,
)
from local_offers.models import (
    ACCESSIBILITY_FLAGS,
    Facility,
    FacilityCategory,
    FacilityClosure,
    FacilityOpeningHours,
    FacilityPhoto,
    FacilityStatus,
    SubsidisedStructure,
)
from local_offers.selectors import FACILITIES_VERSION_KEY
from local_offers.validators import siret_is_valid
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.images import photo_reencoded
from marketplace.inputs import InputError, clean_email, clean_multiline, clean_name, clean_phone, clean_text
from marketplace.organisations.models import Organisation
from marketplace.workflows import transition_run

PHOTO_MAX_SIDE = 1600
MAX_HOURS_RANGES = 42  # six ranges a day
MAX_CLOSURES = 60
MAX_CLOSURE_DAYS = 366
_TIME = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")
_validate_url = URLValidator(schemes=["http", "https"])

TEXT_FIELDS = (
    "name",
    "description",
    "address",
    "accessibility_note",
    "website",
    "phone",
    "email",
    "external_id",
)
FACILITY_FIELDS = (*TEXT_FIELDS, "category", *ACCESSIBILITY_FLAGS)


def _facilities_changed() -> None:
    """Tiles cached by version see the change once it is committed."""

    def bump() -> None:
        cache.set(FACILITIES_VERSION_KEY, str(time.time_ns()), timeout=None)

    transaction.on_commit(bump, robust=True)


# ---- Checks ------------------------------------------------------------------------------------------------


def _cleaned(field: str, clean: Any, value: str) -> str:
    try:
        return str(clean(value))
    except InputError as error:
        raise InvalidField(field, error.message) from error


def clean_website(value: str) -> str:
    """An http(s) address, or ""."""
    value = clean_text(value, max_length=300)
    if value:
        try:
            _validate_url(value)
        except ValidationError as error:
            raise InputError(_("Adresse web invalide (http:// ou https://)."), "url") from error
    return value


_CLEANERS: dict[str, Any] = {
    "name": lambda v: clean_name(v, min_length=2, max_length=200),
    "description": lambda v: clean_multiline(v, max_length=5000),
    "address": lambda v: clean_text(v, max_length=300),
    "accessibility_note": lambda v: clean_multiline(v, max_length=2000),
    "website": clean_website,
    "phone": clean_phone,
    "email": clean_email,
    "external_id": lambda v: clean_text(v, max_length=100),
}


def facility_fields_clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The facility's own fields checked and cleaned (the rules of `marketplace.inputs`). Raises InvalidField
    naming the first bad one."""
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in FACILITY_FIELDS:
            raise InvalidField(name, _("Champ inconnu."))
        if name in _CLEANERS:
            if not isinstance(value, str):
                raise InvalidField(name, _("Texte attendu."))
            cleaned[name] = _cleaned(name, _CLEANERS[name], value)
        elif name == "category":
            if value not in FacilityCategory.values:
                raise InvalidField(
                    "category",
                    _("Catégorie inconnue (possibles : %(names)s).")
                    % {"names": ", ".join(FacilityCategory.values)},
                )
            cleaned[name] = value
        else:  # an accessibility flag
            if not isinstance(value, bool):
                raise InvalidField(name, _("Vrai ou faux attendu."))
            cleaned[name] = value
    return cleaned


def minutes_of(value: str, *, field: str) -> int:
    """ "HH:MM" (00:00 to 24:00) as minutes of the day. Raises InvalidField."""
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidField(field, _("Heure attendue au format HH:MM (de 00:00 à 24:00)."))
    hours, minutes = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return int(hours) * 60 + int(minutes)


def hours_clean(hours: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, int]]:
    """Weekly ranges as (weekday, opening minute, closing minute), sorted. Closing comes after opening; the
    ranges of one day do not overlap. Raises InvalidField naming the range (`opening_hours.<n>.<field>`)."""
    if len(hours) > MAX_HOURS_RANGES:
        raise InvalidField("opening_hours", _("%(n)d plages au plus.") % {"n": MAX_HOURS_RANGES})
    ranges = []
    for index, item in enumerate(hours):
        prefix = f"opening_hours.{index}"
        weekday = item.get("weekday")
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
            raise InvalidField(f"{prefix}.weekday", _("Jour de 1 (lundi) à 7 (dimanche)."))
        opens = minutes_of(item.get("opens", ""), field=f"{prefix}.opens")
        closes = minutes_of(item.get("closes", ""), field=f"{prefix}.closes")
        if closes <= opens:
            raise InvalidField(f"{prefix}.closes", _("La fermeture doit suivre l'ouverture."))
        ranges.append((weekday, opens, closes, index))
    ranges.sort()
    for previous, current in itertools.pairwise(ranges):
        if previous[0] == current[0] and current[1] < previous[2]:
            raise InvalidField(
                f"opening_hours.{current[3]}", _("Cette plage chevauche une autre plage du même jour.")
            )
    return [(weekday, opens, closes) for weekday, opens, closes, _index in ranges]


def closures_clean(closures: Sequence[Mapping[str, Any]]) -> list[tuple[dt.date, dt.date, str]]:
    """Exceptional closures as (first day, day after the last, reason), sorted, not overlapping. Raises
    InvalidField naming the closure (`closures.<n>.<field>`)."""
    if len(closures) > MAX_CLOSURES:
        raise InvalidField("closures", _("%(n)d fermetures au plus.") % {"n": MAX_CLOSURES})
    found = []
    for index, item in enumerate(closures):
        prefix = f"closures.{index}"
        start, end = item.get("start"), item.get("end")
        if not isinstance(start, dt.date):
            raise InvalidField(f"{prefix}.start", _("Date attendue."))
        if not isinstance(end, dt.date):
            raise InvalidField(f"{prefix}.end", _("Date attendue."))
        if end <= start:
            raise InvalidField(f"{prefix}.end", _("La fin doit suivre le début."))
        if (end - start).days > MAX_CLOSURE_DAYS:
            raise InvalidField(f"{prefix}.end", _("Une fermeture dure au plus un an."))
        reason = _cleaned(
            f"{prefix}.reason", lambda v: clean_text(v, max_length=200), item.get("reason") or ""
        )
        found.append((start, end, reason, index))
    found.sort()
    for previous, current in itertools.pairwise(found):
        if current[0] < previous[1]:
            raise InvalidField(f"closures.{current[3]}", _("Cette fermeture chevauche une autre fermeture."))
    return [(start, end, reason) for start, end, reason, _index in found]


def _managed_organisation(actor: User, organisation: Organisation | int) -> Organisation:
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    found = Organisation.objects.managed_by(actor) if not actor.is_superuser else Organisation.objects.all()
    row = found.filter(pk=organisation_id).first()
    if row is None:
        raise OrganisationNotManaged()
    return row


def _check_manager(actor: User, facility: Facility) -> None:
    if not actor.has_perm("local_offers.manage_facility", facility):
        raise NotFacilityManager()


def _check_structure(organisation: Organisation, structure_id: int | None) -> SubsidisedStructure | None:
    if structure_id is None:
        return None
    structure = SubsidisedStructure.objects.filter(organisation=organisation, pk=structure_id).first()
    if structure is None:
        raise InvalidField("structure_id", _("Structure inconnue parmi celles de cet employeur."))
    return structure


def _check_external_id(facility: Facility) -> None:
    if facility.external_id and (
        Facility.objects.with_external_id(facility.organisation_id, facility.external_id)
        .exclude(pk=facility.pk)
        .exists()
    ):
        raise ExternalIdTaken(detail={"field": "external_id"})


def _place(facility: Facility, lon: float, lat: float) -> None:
    """The point and its territories. Raises InvalidCoordinates, CoordinatesSwapped, PointOutsideFrance (at
    sea included)."""
    point = check_coordinates(lon, lat)
    territory = territory_for_point(point)
    facility.location = point
    facility.commune = territory.commune
    facility.departement = territory.departement
    facility.region = territory.region


def _set_hours(facility: Facility, hours: Sequence[Mapping[str, Any]]) -> None:
    ranges = hours_clean(hours)
    FacilityOpeningHours.objects.filter(facility=facility).delete()
    FacilityOpeningHours.objects.bulk_create(
        FacilityOpeningHours(facility=facility, weekday=weekday, minutes=NumericRange(opens, closes))
        for weekday, opens, closes in ranges
    )


def _set_closures(facility: Facility, closures: Sequence[Mapping[str, Any]]) -> None:
    found = closures_clean(closures)
    FacilityClosure.objects.filter(facility=facility).delete()
    FacilityClosure.objects.bulk_create(
        FacilityClosure(facility=facility, dates=DateRange(start, end), reason=reason)
        for start, end, reason in found
    )


def _locked(facility: Facility) -> Facility:
    return Facility.objects.select_for_update().get(pk=facility.pk)


# ---- Facilities --------------------------------------------------------------------------------------------


@transaction.atomic
def facility_create(
    *,
    actor: User,
    organisation: Organisation | int,
    lon: float,
    lat: float,
    structure_id: int | None = None,
    opening_hours: Sequence[Mapping[str, Any]] = (),
    closures: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> Facility:
    """A draft facility of an employer the actor is a correspondent of, at a point in France.

    Raises OrganisationNotManaged (404), InvalidField, InvalidCoordinates, CoordinatesSwapped,
    PointOutsideFrance, ExternalIdTaken.
    """
    employer = _managed_organisation(actor, organisation)
    cleaned = facility_fields_clean(fields)
    for required in ("name", "category"):
        if not cleaned.get(required):
            raise InvalidField(required, _("Ce champ est obligatoire."))
    facility = Facility(organisation=employer, created_by=actor, **cleaned)
    facility.structure = _check_structure(employer, structure_id)
    _place(facility, lon, lat)
    _check_external_id(facility)
    facility.save()
    _set_hours(facility, opening_hours)
    _set_closures(facility, closures)
    _facilities_changed()
    return facility


_UNSET: Any = object()


@transaction.atomic
def facility_update(
    *,
    actor: User,
    facility: Facility,
    lon: float | None = None,
    lat: float | None = None,
    structure_id: int | None = _UNSET,
    opening_hours: Sequence[Mapping[str, Any]] | None = None,
    closures: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Facility:
    """A correspondent edits the facility (any field given; hours and closures are replaced when given).

    Raises NotFacilityManager, FacilityWrongState (archived), InvalidField, PointOutsideFrance…
    """
    facility = _locked(facility)
    _check_manager(actor, facility)
    if facility.status == FacilityStatus.ARCHIVED:
        raise FacilityWrongState(detail={"state": facility.status})
    cleaned = facility_fields_clean(fields)
    for required in ("name", "category"):
        if required in cleaned and not cleaned[required]:
            raise InvalidField(required, _("Ce champ est obligatoire."))
    for name, value in cleaned.items():
        setattr(facility, name, value)
    if structure_id is not _UNSET:
        facility.structure = _check_structure(facility.organisation, structure_id)
    if (lon is None) != (lat is None):
        raise InvalidField("lat" if lat is None else "lon", _("La longitude et la latitude vont ensemble."))
    if lon is not None and lat is not None:
        _place(facility, lon, lat)
    _check_external_id(facility)
    facility.save()
    if opening_hours is not None:
        _set_hours(facility, opening_hours)
    if closures is not None:
        _set_closures(facility, closures)
    _facilities_changed()
    return facility


def _transition(actor: User, facility: Facility, name: str, **kwargs: Any) -> Facility:
    facility = _locked(facility)
    transition_run(
        facility, name, actor=actor, refused=NotFacilityManager, wrong_state=FacilityWrongState, **kwargs
    )
    _facilities_changed()
    return facility


@transaction.atomic
def facility_publish(*, actor: User, facility: Facility) -> Facility:
    """Put a draft on the offers map; its employer must be a member today. Raises NotFacilityManager,
    FacilityWrongState, OrganisationNotMember."""
    locked = _locked(facility)
    _check_manager(actor, locked)
    today = timezone.localdate()
    if not Organisation.objects.active_members(today).filter(pk=locked.organisation_id).exists():
        raise OrganisationNotMember()
    return _transition(actor, locked, "publish", at=timezone.now())


@transaction.atomic
def facility_unpublish(*, actor: User, facility: Facility) -> Facility:
    """Take a published facility off the map (back to draft). Raises NotFacilityManager, FacilityWrongState."""
    return _transition(actor, facility, "unpublish")


@transaction.atomic
def facility_archive(*, actor: User, facility: Facility) -> Facility:
    """Archive (kept for the history of agreements and vouchers). Raises NotFacilityManager,
    FacilityWrongState."""
    return _transition(actor, facility, "archive")


@transaction.atomic
def facility_restore(*, actor: User, facility: Facility) -> Facility:
    """An archived facility back to draft. Raises NotFacilityManager, FacilityWrongState."""
    return _transition(actor, facility, "restore")


# ---- Photos ------------------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, actor: User, facility: Facility, upload: UploadedFile, alt_text: str = "") -> FacilityPhoto:
    """A photo checked by its content and re-encoded without metadata (marketplace.images).

    Raises NotFacilityManager, InvalidField("photo" or "alt_text"), TooManyRequests.
    """
    facility = _locked(facility)
    _check_manager(actor, facility)
    alt = _cleaned("alt_text", lambda v: clean_text(v, max_length=200), alt_text)
    if facility.photos.count() >= FacilityPhoto.MAX_PHOTOS:
        raise InvalidField(
            "photo", _("Au plus %(n)s photos par équipement.") % {"n": FacilityPhoto.MAX_PHOTOS}
        )
    content = photo_reencoded(upload, field="photo", max_side=PHOTO_MAX_SIDE)
    with Image.open(content) as image:
        width, height = image.size
    content.seek(0)
    position = (facility.photos.aggregate(last=Max("position"))["last"] or 0) + 1
    photo = FacilityPhoto(facility=facility, width=width, height=height, position=position, alt_text=alt)
    photo.image.save(content.name or "photo.jpg", content, save=False)
    name, storage = photo.image.name, photo.image.storage
    try:  # the file is written before the row: a failed insert must not leave it behind
        photo.save()
    except Exception:
        storage.delete(name)
        raise
    return photo


@transaction.atomic
def photo_delete(*, actor: User, photo: FacilityPhoto) -> None:
    """Raises NotFacilityManager."""
    facility = _locked(photo.facility)
    _check_manager(actor, facility)
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)


# ---- Subsidised structures ---------------------------------------------------------------------------------


@transaction.atomic
def structure_create(
    *, actor: User, organisation: Organisation | int, name: str, siret: str
) -> SubsidisedStructure:
    """A structure the employer subsidises, with its SIRET (Luhn-checked). Raises OrganisationNotManaged,
    InvalidField (a bad SIRET, or one the employer already declared)."""
    employer = _managed_organisation(actor, organisation)
    clean_name_ = _cleaned("name", lambda v: clean_name(v, min_length=2, max_length=200), name)
    siret = siret.strip().replace(" ", "")
    if not siret_is_valid(siret):
        raise InvalidField(
            "siret", _("SIRET invalide : 14 chiffres dont le dernier est une clé de contrôle.")
        )
    if SubsidisedStructure.objects.filter(organisation=employer, siret=siret).exists():
        raise InvalidField("siret", _("Cet employeur a déjà déclaré cette structure."))
    return SubsidisedStructure.objects.create(organisation=employer, name=clean_name_, siret=siret)
