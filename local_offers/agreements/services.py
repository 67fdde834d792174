"""Writes of the agreements. Every status change is a declared transition run by
`marketplace.workflows.transition_run` on the locked row (permission, state, immutable audit event), then a
system message in the agreement's conversation (in French) and an event to the others, after commit.
Nothing is written when a check fails: each service is one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from geo.models import Departement, Region
from local_offers.agreements.events import AgreementChanged
from local_offers.agreements.selectors import officer_for_facilities, participant_ids
from local_offers.exceptions import (
    AgreementForbidden,
    AgreementNotFound,
    AgreementWrongState,
    NoOfficerForTerritory,
)
from local_offers.models import (
    EDITABLE,
    IN_FORCE,
    PENDING_REVIEW,
    Agreement,
    AgreementFacility,
    AgreementStatus,
    BenefitKind,
    Facility,
    FacilityStatus,
)
from local_offers.permissions import is_correspondent_of_provider, is_officer_of_agreement_territory
from marketplace.accounts.models import User
from marketplace.audit.services import audit_record
from marketplace.errors import InvalidField
from marketplace.events import publish
from marketplace.files import checked_pdf, display_name
from marketplace.inputs import InputError, clean_multiline
from marketplace.messaging.services import conversation_for_subject, message_send_system
from marketplace.organisations.models import OfficerTerritory, Organisation
from marketplace.organisations.permissions import is_correspondent_of
from marketplace.workflows import transition_run

SUBJECT = "agreement"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_FACILITIES = 200
MAX_PARTY = 50
MAX_YEARS = 5
REMINDERS = (15, 60)  # the nearer first: an agreement found 10 days from its end gets one reminder

FIELDS = (
    "facility_ids",
    "benefit_kind",
    "benefit_value",
    "conditions",
    "party_min",
    "party_max",
    "audience_all",
    "audience_regions",
    "audience_departements",
    "quota_per_agent",
    "quota_total",
    "valid_from",
    "valid_until",
)

_SYSTEM_TEXTS = {
    "create": lambda who: _("%(who)s a créé la convention.") % {"who": who},
    "submit": lambda who: _("%(who)s a soumis la convention.") % {"who": who},
    "withdraw": lambda who: _("%(who)s a retiré la convention.") % {"who": who},
    "resubmit": lambda who: _("%(who)s a soumis à nouveau la convention modifiée.") % {"who": who},
    "start_review": lambda who: _("%(who)s instruit la convention.") % {"who": who},
    "assign": lambda who: _("La convention est confiée à %(who)s.") % {"who": who},
    "request_changes": lambda who: _("%(who)s demande des modifications.") % {"who": who},
    "approve": lambda who: _("%(who)s a approuvé la convention.") % {"who": who},
    "reject": lambda who: _("%(who)s a refusé la convention.") % {"who": who},
    "suspend": lambda who: _("%(who)s a suspendu la convention.") % {"who": who},
    "reinstate": lambda who: _("%(who)s a remis la convention en vigueur.") % {"who": who},
    "terminate": lambda who: _("%(who)s a résilié la convention.") % {"who": who},
    "activate": lambda who: _("La convention entre en vigueur."),
    "expire": lambda who: _("La convention est arrivée à son terme."),
    "remind_60": lambda who: _("Rappel : la convention expire dans 60 jours."),
    "remind_15": lambda who: _("Rappel : la convention expire dans 15 jours."),
}


# ---- Telling the parties -----------------------------------------------------------------------------------


def _tell(agreement: Agreement, what: str, *, actor: User | None, comment: str = "") -> None:
    """A system message in the agreement's conversation and an event to every participant but the actor."""
    ids = participant_ids(agreement.pk)
    if not ids:
        return
    who = str(actor) if actor is not None else _("Réciproque")
    with translation.override("fr"):
        text = _SYSTEM_TEXTS[what](who)
    if comment:
        text = f"{text}\n{comment}"
    starter = User.objects.get(pk=ids[0])
    conversation = conversation_for_subject(actor=starter, subject_type=SUBJECT, subject_id=agreement.pk)
    message_send_system(conversation=conversation, text=text)
    publish(
        AgreementChanged(agreement=agreement.pk, transition=what, status=str(agreement.status)),
        to=[pk for pk in ids if actor is None or pk != actor.pk],
    )


def _locked(actor: User | None, agreement: Agreement | int) -> Agreement:
    pk = agreement if isinstance(agreement, int) else agreement.pk
    rows = Agreement.objects.all() if actor is None else Agreement.objects.visible_to(actor)
    locked = rows.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise AgreementNotFound()
    return locked


def _run(agreement: Agreement, name: str, *, actor: User | None, comment: str = "") -> None:
    transition_run(
        agreement,
        name,
        actor=actor,
        comment=comment,
        refused=AgreementForbidden,
        wrong_state=AgreementWrongState,
    )


def _comment(value: Any, *, field: str, required: bool) -> str:
    try:
        text = clean_multiline(str(value or ""), max_length=2000).strip()
    except InputError as error:
        raise InvalidField(field, error.message) from error
    if required and not text:
        raise InvalidField(field, _("Un commentaire est nécessaire pour cette décision."))
    return text


def _sync_coverage(agreement: Agreement) -> None:
    """The through rows carry the agreement's benefit, validity and whether it is in force: the exclusion
    constraint `agreement_in_force_no_overlap` refuses a second version in force (IntegrityError → 409)."""
    AgreementFacility.objects.filter(agreement=agreement).update(
        benefit_kind=agreement.benefit_kind,
        validity=agreement.validity,
        in_force=agreement.status in IN_FORCE,
    )


# ---- Checking what the correspondent wrote -----------------------------------------------------------------


def _int_or_none(data: dict[str, Any], field: str, *, low: int, high: int) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except (TypeError, ValueError) as error:
        raise InvalidField(field, _("Un nombre entier est attendu.")) from error
    if not low <= number <= high:
        raise InvalidField(field, _("Entre %(low)d et %(high)d.") % {"low": low, "high": high})
    return number


def _date(data: dict[str, Any], field: str) -> dt.date:
    value = data.get(field)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as error:
        raise InvalidField(field, _("Une date AAAA-MM-JJ est attendue.")) from error


def _checked(organisation: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    """The fields as they will be written, or InvalidField naming the first wrong one."""
    ids = data.get("facility_ids") or []
    if not isinstance(ids, list | tuple) or not ids or len(ids) > MAX_FACILITIES:
        raise InvalidField("facility_ids", _("Choisissez de 1 à 200 équipements de l'employeur."))
    facilities = list(
        Facility.objects.filter(pk__in=ids, organisation=organisation).exclude(status=FacilityStatus.ARCHIVED)
    )
    if len(facilities) != len(set(ids)):
        raise InvalidField("facility_ids", _("Certains équipements ne sont pas ceux de cet employeur."))
    kind = data.get("benefit_kind")
    if kind not in BenefitKind.values:
        raise InvalidField("benefit_kind", _("Avantage inconnu : free, percent ou fixed_price."))
    value: Decimal | None = None
    raw = data.get("benefit_value")
    if kind == BenefitKind.FREE:
        if raw not in (None, ""):
            raise InvalidField("benefit_value", _("Une entrée gratuite n'a pas de valeur."))
    else:
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as error:
            raise InvalidField("benefit_value", _("Un nombre est attendu.")) from error
        if kind == BenefitKind.PERCENT and not Decimal(1) <= value <= Decimal(100):
            raise InvalidField("benefit_value", _("Une réduction va de 1 à 100 %."))
        if kind == BenefitKind.FIXED_PRICE and not Decimal(0) <= value <= Decimal(10000):
            raise InvalidField("benefit_value", _("Un prix va de 0 à 10 000 €."))
    party_min = _int_or_none(data, "party_min", low=1, high=MAX_PARTY) or 1
    party_max = _int_or_none(data, "party_max", low=1, high=MAX_PARTY) or party_min
    if party_max < party_min:
        raise InvalidField("party_max", _("Le maximum de personnes est au moins le minimum."))
    audience_all = bool(data.get("audience_all", True))
    region_codes = list(data.get("audience_regions") or [])
    departement_codes = list(data.get("audience_departements") or [])
    regions = list(Region.objects.filter(code__in=region_codes))
    departements = list(Departement.objects.filter(code__in=departement_codes))
    if len(regions) != len(set(region_codes)):
        raise InvalidField("audience_regions", _("Région inconnue."))
    if len(departements) != len(set(departement_codes)):
        raise InvalidField("audience_departements", _("Département inconnu."))
    if not audience_all and not regions and not departements:
        raise InvalidField("audience_departements", _("Choisissez au moins une région ou un département."))
    valid_from = _date(data, "valid_from")
    valid_until = _date(data, "valid_until")
    if valid_until < valid_from:
        raise InvalidField("valid_until", _("La fin de validité suit son début."))
    if (valid_until - valid_from).days > 366 * MAX_YEARS:
        raise InvalidField("valid_until", _("Une convention vaut au plus 5 ans."))
    return {
        "facilities": facilities,
        "benefit_kind": kind,
        "benefit_value": value,
        "conditions": _comment(data.get("conditions"), field="conditions", required=False),
        "party_min": party_min,
        "party_max": party_max,
        "audience_all": audience_all,
        "regions": [] if audience_all else regions,
        "departements": [] if audience_all else departements,
        "quota_per_agent": _int_or_none(data, "quota_per_agent", low=1, high=1000),
        "quota_total": _int_or_none(data, "quota_total", low=1, high=1_000_000),
        # Both ends included: the range's upper bound is the day after.
        "validity": DateRange(valid_from, valid_until + dt.timedelta(days=1), "[)"),
    }


def _write(agreement: Agreement, checked: dict[str, Any]) -> None:
    for name in (
        "benefit_kind",
        "benefit_value",
        "conditions",
        "party_min",
        "party_max",
        "audience_all",
        "quota_per_agent",
        "quota_total",
        "validity",
    ):
        setattr(agreement, name, checked[name])
    agreement.save()
    # Written through the M2M's own rows: `.set()` resolves the hidden reverse relation (related_name "+"),
    # which a full test run found missing from geo's field cache (FieldError, a 500).
    agreement.audience_regions.set(checked["regions"])
    agreement.audience_departements.set(checked["departements"])
    wanted = {f.pk for f in checked["facilities"]}
    AgreementFacility.objects.filter(agreement=agreement).exclude(facility_id__in=wanted).delete()
    have = set(AgreementFacility.objects.filter(agreement=agreement).values_list("facility_id", flat=True))
    AgreementFacility.objects.bulk_create(
        AgreementFacility(
            agreement=agreement,
            facility_id=pk,
            benefit_kind=agreement.benefit_kind,
            validity=agreement.validity,
        )
        for pk in sorted(wanted - have)
    )
    _sync_coverage(agreement)


# ---- The correspondent's side ------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, actor: User, organisation_id: int, **data: Any) -> Agreement:
    """A draft by a correspondent of the provider. Raises AgreementForbidden (404 for an employer the actor is
    not a correspondent of is the API's choice: OrganisationNotManaged), InvalidField."""
    from local_offers.exceptions import OrganisationNotManaged

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not (is_correspondent_of(actor, organisation) or actor.is_superuser):
        raise OrganisationNotManaged()
    checked = _checked(organisation, data)
    agreement = Agreement(organisation=organisation, created_by=actor)
    _write(agreement, checked)
    audit_record(
        actor=actor, obj=agreement, from_state="", to_state=agreement.status, comment="", transition="create"
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: User, agreement: Agreement | int, **data: Any) -> Agreement:
    """Edit a draft, or one whose officer asked for changes (every field given again)."""
    locked = _locked(actor, agreement)
    if not is_correspondent_of_provider(actor, locked) and not actor.is_superuser:
        raise AgreementForbidden()
    if locked.status not in EDITABLE:
        raise AgreementWrongState(detail={"state": locked.status, "transition": "update"})
    _write(locked, _checked(locked.organisation, data))
    return locked


@transaction.atomic
def agreement_renew(*, actor: User, agreement: Agreement | int) -> Agreement:
    """A new version (a draft) linked to this one, same terms, valid from the day after it ends for as long.
    Only from an agreement in force or expired, once (a version has at most one next version)."""
    locked = _locked(actor, agreement)
    if not is_correspondent_of_provider(actor, locked) and not actor.is_superuser:
        raise AgreementForbidden()
    if (
        locked.status not in (*IN_FORCE, AgreementStatus.EXPIRED)
        or Agreement.objects.filter(previous=locked).exists()
    ):
        raise AgreementWrongState(detail={"state": locked.status, "transition": "renew"})
    start = locked.validity.upper
    length = locked.validity.upper - locked.validity.lower
    renewed = Agreement(
        organisation=locked.organisation,
        created_by=actor,
        previous=locked,
        version=locked.version + 1,
        benefit_kind=locked.benefit_kind,
        benefit_value=locked.benefit_value,
        conditions=locked.conditions,
        party_min=locked.party_min,
        party_max=locked.party_max,
        audience_all=locked.audience_all,
        quota_per_agent=locked.quota_per_agent,
        quota_total=locked.quota_total,
        validity=DateRange(start, start + length, "[)"),
    )
    renewed.save()
    renewed.audience_regions.set(locked.audience_regions.all())
    renewed.audience_departements.set(locked.audience_departements.all())
    AgreementFacility.objects.bulk_create(
        AgreementFacility(
            agreement=renewed,
            facility_id=row.facility_id,
            benefit_kind=renewed.benefit_kind,
            validity=renewed.validity,
        )
        for row in AgreementFacility.objects.filter(agreement=locked)
    )
    audit_record(
        actor=actor, obj=renewed, from_state="", to_state=renewed.status, comment="", transition="renew"
    )
    return renewed


@transaction.atomic
def agreement_document_upload(*, actor: User, agreement: Agreement | int, upload: UploadedFile) -> Agreement:
    """The signed agreement (a checked PDF, 5 MB at most), kept privately; replaces the previous one while the
    agreement is editable."""
    locked = _locked(actor, agreement)
    if not is_correspondent_of_provider(actor, locked) and not actor.is_superuser:
        raise AgreementForbidden()
    if locked.status not in EDITABLE:
        raise AgreementWrongState(detail={"state": locked.status, "transition": "document"})
    content = checked_pdf(upload, field="document", max_bytes=MAX_DOCUMENT_BYTES)
    old = locked.document.name if locked.document else ""
    locked.document.save(content.name or "agreement.pdf", content, save=False)
    locked.document_name = display_name(upload.name or "")[:120]
    locked.save()
    storage = locked.document.storage
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def agreement_submit(*, actor: User, agreement: Agreement | int) -> Agreement:
    """To the officer covering most of its facilities' départements (assigned now). Needs the signed document.
    Raises NoOfficerForTerritory (409) when nobody covers them."""
    locked = _locked(actor, agreement)
    if (
        locked.status == AgreementStatus.DRAFT
        and not locked.document
        and is_correspondent_of_provider(actor, locked)
    ):
        raise InvalidField("document", _("Joignez la convention signée (PDF) avant de la soumettre."))
    facilities = [
        row.facility for row in AgreementFacility.objects.filter(agreement=locked).select_related("facility")
    ]
    officer = officer_for_facilities(facilities, exclude=locked.organisation)
    _run(locked, "submit", actor=actor)
    if officer is None:
        raise NoOfficerForTerritory()
    locked.officer = officer
    locked.waiting_since = timezone.now()
    locked.save(update_fields=["officer", "waiting_since", "updated_at"])
    _tell(locked, "submit", actor=actor)
    return locked


@transaction.atomic
def agreement_withdraw(*, actor: User, agreement: Agreement | int, reason: str = "") -> Agreement:
    locked = _locked(actor, agreement)
    comment = _comment(reason, field="reason", required=False)
    _run(locked, "withdraw", actor=actor, comment=comment)
    locked.waiting_since = None
    locked.save(update_fields=["waiting_since", "updated_at"])
    _tell(locked, "withdraw", actor=actor, comment=comment)
    return locked


@transaction.atomic
def agreement_resubmit(*, actor: User, agreement: Agreement | int, comment: str = "") -> Agreement:
    locked = _locked(actor, agreement)
    text = _comment(comment, field="comment", required=False)
    _run(locked, "resubmit", actor=actor, comment=text)
    locked.waiting_since = timezone.now()
    locked.save(update_fields=["waiting_since", "updated_at"])
    _tell(locked, "resubmit", actor=actor, comment=text)
    return locked


# ---- The officer's side ------------------------------------------------------------------------------------


@transaction.atomic
def agreement_start_review(*, actor: User, agreement: Agreement | int) -> Agreement:
    """The officer takes it up (and becomes its officer if another was assigned)."""
    locked = _locked(actor, agreement)
    _run(locked, "start_review", actor=actor)
    locked.officer = actor
    locked.save(update_fields=["officer", "updated_at"])
    _tell(locked, "start_review", actor=actor)
    return locked


@transaction.atomic
def agreement_assign(*, actor: User, agreement: Agreement | int, officer_id: int) -> Agreement:
    """Reassign a pending review to another officer of the territory (by an officer of it)."""
    from local_offers.permissions import is_own_agreement

    locked = _locked(actor, agreement)
    if not (is_officer_of_agreement_territory(actor, locked) or actor.is_superuser) or is_own_agreement(
        actor, locked
    ):
        raise AgreementForbidden()
    if locked.status not in PENDING_REVIEW:
        raise AgreementWrongState(detail={"state": locked.status, "transition": "assign"})
    officer = User.objects.filter(pk=officer_id, is_active=True).first()
    departements = AgreementFacility.objects.filter(agreement=locked).values("facility__departement")
    if (
        officer is None
        or not OfficerTerritory.objects.filter(officer=officer, departement__in=departements).exists()
        or is_own_agreement(officer, locked)
    ):
        raise InvalidField("officer_id", _("Choisissez un chargé de développement de ce territoire."))
    locked.officer = officer
    locked.save(update_fields=["officer", "updated_at"])
    audit_record(
        actor=actor,
        obj=locked,
        from_state=locked.status,
        to_state=locked.status,
        comment="",
        transition="assign",
    )
    _tell(locked, "assign", actor=officer)
    return locked


def _decide(name: str, *, actor: User, agreement: Agreement | int, comment: str, required: bool) -> Agreement:
    locked = _locked(actor, agreement)
    text = _comment(comment, field="comment", required=required)
    _run(locked, name, actor=actor, comment=text)
    if name in ("approve", "reject", "request_changes"):
        locked.officer = actor
    if name in ("approve", "reject"):
        locked.waiting_since = None
    if name == "approve" and locked.validity.lower <= timezone.localdate():
        _run(locked, "activate", actor=None)
    locked.save()
    _sync_coverage(locked)  # may raise the exclusion constraint: the whole decision is rolled back
    _tell(locked, name, actor=actor, comment=text)
    return locked


@transaction.atomic
def agreement_request_changes(*, actor: User, agreement: Agreement | int, comment: str) -> Agreement:
    return _decide("request_changes", actor=actor, agreement=agreement, comment=comment, required=True)


@transaction.atomic
def agreement_approve(*, actor: User, agreement: Agreement | int, comment: str = "") -> Agreement:
    """In force (active at once if its validity began). Two versions in force for one facility and benefit
    over overlapping dates: the exclusion constraint refuses (409), nothing written."""
    return _decide("approve", actor=actor, agreement=agreement, comment=comment, required=False)


@transaction.atomic
def agreement_reject(*, actor: User, agreement: Agreement | int, comment: str) -> Agreement:
    return _decide("reject", actor=actor, agreement=agreement, comment=comment, required=True)


@transaction.atomic
def agreement_suspend(*, actor: User, agreement: Agreement | int, comment: str) -> Agreement:
    return _decide("suspend", actor=actor, agreement=agreement, comment=comment, required=True)


@transaction.atomic
def agreement_reinstate(*, actor: User, agreement: Agreement | int, comment: str = "") -> Agreement:
    return _decide("reinstate", actor=actor, agreement=agreement, comment=comment, required=False)


@transaction.atomic
def agreement_terminate(*, actor: User, agreement: Agreement | int, comment: str) -> Agreement:
    return _decide("terminate", actor=actor, agreement=agreement, comment=comment, required=True)


# ---- The platform's side -----------------------------------------------------------------------------------


def agreements_tick(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: approved agreements whose validity began become active, those whose validity ended expire, and
    the correspondents and officer of an agreement ending in 60 then 15 days are reminded (once each)."""
    today = today or timezone.localdate()
    counts = {"activated": 0, "expired": 0, "reminded": 0}
    for pk in Agreement.objects.filter(status__in=IN_FORCE, validity__endswith__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = _locked(None, pk)
            if locked.status in IN_FORCE and locked.validity.upper <= today:
                _run(locked, "expire", actor=None)
                _sync_coverage(locked)
                _tell(locked, "expire", actor=None)
                counts["expired"] += 1
    for pk in Agreement.objects.filter(
        status=AgreementStatus.APPROVED, validity__startswith__lte=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            locked = _locked(None, pk)
            if locked.status == AgreementStatus.APPROVED:
                _run(locked, "activate", actor=None)
                _tell(locked, "activate", actor=None)
                counts["activated"] += 1
    for days in REMINDERS:
        horizon = today + dt.timedelta(days=days)
        rows = Agreement.objects.filter(
            status=AgreementStatus.ACTIVE, validity__endswith__lte=horizon + dt.timedelta(days=1)
        ).exclude(expiry_reminded__lte=days)
        for pk in rows.values_list("pk", flat=True):
            with transaction.atomic():
                locked = _locked(None, pk)
                if locked.expiry_reminded is not None and locked.expiry_reminded <= days:
                    continue
                locked.expiry_reminded = days
                locked.save(update_fields=["expiry_reminded", "updated_at"])
                _tell(locked, f"remind_{days}", actor=None)
                counts["reminded"] += 1
    return counts
