"""Writes of the vouchers. One transaction per call; nothing is written when a check fails.

- `voucher_request`: an eligible agent asks for a voucher of an agreement in force for one of its facilities.
  The agreement's row is locked (`select_for_update`) while the quotas are counted and the voucher written,
  so two requests for the last unit are serialised: the second sees the first's voucher and gets a 409.
- `voucher_validate`: the venue (desk session or API key) uses a voucher once; a second validation is
  refused with the first one's time (409), except for an offline upload (`voucher_validations_sync`), where
  the venue already let the holder in: the attempt is kept and the voucher flagged.
- `vouchers_expire`: the platform marks issued vouchers whose window ended (the daily task).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone
from django.utils.translation import gettext as _

from local_offers.exceptions import (
    ApiKeyNotFound,
    FacilityNotFound,
    VoucherAlreadyUsed,
    VoucherBadToken,
    VoucherForbidden,
    VoucherNotEligible,
    VoucherNotFound,
    VoucherOfferNotFound,
    VoucherOutsideWindow,
    VoucherQuotaReached,
    VoucherWrongState,
)
from local_offers.models import Agreement, AgreementFacility, AgreementStatus, Facility, FacilityStatus
from local_offers.vouchers import signing
from local_offers.vouchers.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ValidationChannel,
    VenueApiKey,
    Voucher,
    VoucherStatus,
    VoucherValidation,
)
from marketplace.accounts.models import User
from marketplace.audit.services import audit_record
from marketplace.errors import InvalidField
from marketplace.inputs import InputError, clean_text
from marketplace.organisations.permissions import is_correspondent_of
from marketplace.organisations.selectors import agent_eligibility
from marketplace.workflows import transition_run

MAX_WINDOW_DAYS = 31
MAX_AHEAD_DAYS = 366
MAX_BATCH = 500
API_KEY_PREFIX = "rcq"


# ---- Codes and tokens --------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a person typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in value.upper() if ch not in " -\t")


def voucher_claims(voucher: Voucher) -> dict[str, Any]:
    """What the QR carries: enough for a venue to check the voucher offline (who, how many, where, when)."""
    holder = voucher.agent
    return {
        "vid": voucher.pk,
        "code": voucher.code,
        "fac": voucher.facility_id,
        "agr": voucher.agreement_id,
        "party": voucher.party_size,
        "from": voucher.first_day.isoformat(),
        "to": voucher.last_day.isoformat(),
        "name": str(holder) if holder is not None else "",
    }


def voucher_token(voucher: Voucher) -> str:
    return signing.sign(voucher_claims(voucher))


# ---- Requesting --------------------------------------------------------------------------------------------


def _audience_holds(agreement: Agreement, employer_id: int) -> bool:
    if agreement.audience_all:
        return True
    from marketplace.organisations.models import Organisation

    employer = Organisation.objects.select_related("seat_commune").get(pk=employer_id)
    departement_id = employer.seat_commune.departement_id
    return (
        agreement.audience_departements.filter(pk=departement_id).exists()
        or agreement.audience_regions.filter(departements__pk=departement_id).exists()
    )


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidField(field, _("Date attendue (AAAA-MM-JJ).")) from error


def _check_window(agreement: Agreement, first: dt.date, last: dt.date, today: dt.date) -> None:
    if first < today:
        raise InvalidField("first_day", _("Le premier jour ne peut pas être passé."))
    if first > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise InvalidField("first_day", _("Un bon se demande au plus un an à l'avance."))
    if last < first:
        raise InvalidField("last_day", _("Le dernier jour vient après le premier."))
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise InvalidField("last_day", _("Un bon vaut %(n)d jours au plus.") % {"n": MAX_WINDOW_DAYS})
    validity = agreement.validity
    if validity.lower is not None and first < validity.lower:
        raise InvalidField("first_day", _("La convention n'est pas encore en vigueur ce jour-là."))
    if validity.upper is not None and last >= validity.upper:
        raise InvalidField("last_day", _("La convention ne court pas jusqu'à ce jour."))


def _check_party(agreement: Agreement, party_size: Any) -> int:
    try:
        size = int(party_size)
    except (TypeError, ValueError) as error:
        raise InvalidField("party_size", _("Nombre entier attendu.")) from error
    if not agreement.party_min <= size <= agreement.party_max:
        raise InvalidField(
            "party_size",
            _("Cette convention vaut pour %(min)d à %(max)d personnes.")
            % {"min": agreement.party_min, "max": agreement.party_max},
        )
    return size


def _check_quotas(agreement: Agreement, agent: User, year: int) -> None:
    """Counted under the agreement's row lock: no other request of this agreement runs meanwhile."""
    taken = Voucher.objects.filter(agreement=agreement, year=year).counted_in_quota()
    if (
        agreement.quota_per_agent is not None
        and taken.filter(agent=agent).count() >= agreement.quota_per_agent
    ):
        raise VoucherQuotaReached(
            _("Vous avez déjà obtenu les %(n)d bons de cette convention pour %(year)d.")
            % {"n": agreement.quota_per_agent, "year": year},
            detail={"quota": "per_agent", "limit": agreement.quota_per_agent, "year": year},
        )
    if agreement.quota_total is not None and taken.count() >= agreement.quota_total:
        raise VoucherQuotaReached(
            _("Les %(n)d bons de cette convention pour %(year)d sont tous attribués.")
            % {"n": agreement.quota_total, "year": year},
            detail={"quota": "total", "limit": agreement.quota_total, "year": year},
        )


def _insert(**fields: Any) -> Voucher:
    """A fresh code; another voucher drawing the same one (1 in 10^11) only costs a new draw."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Voucher.objects.create(code=new_code(), **fields)
        except IntegrityError as error:
            constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
            if "code" not in constraint:
                raise
    raise RuntimeError("no free voucher code after five draws")


@transaction.atomic
def voucher_request(
    *,
    actor: User,
    agreement_id: int,
    facility_id: int,
    first_day: Any,
    last_day: Any,
    party_size: Any,
    today: dt.date | None = None,
) -> Voucher:
    """Issue a voucher. Raises VoucherNotEligible (403), VoucherOfferNotFound (404: no agreement in force
    open to the agent), InvalidField (422: facility, dates, party), VoucherQuotaReached (409)."""
    today = today or timezone.localdate()
    eligibility = agent_eligibility(actor, today)
    if not eligibility.eligible or eligibility.organisation is None:
        raise VoucherNotEligible(detail={"reason": eligibility.reason_code, "message": eligibility.message})
    # The lock that serialises the quota checks of this agreement.
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .filter(pk=agreement_id, status=AgreementStatus.ACTIVE, validity__contains=today)
        .first()
    )
    if agreement is None or not _audience_holds(agreement, eligibility.organisation.pk):
        raise VoucherOfferNotFound()
    covered = AgreementFacility.objects.filter(
        agreement=agreement, facility_id=facility_id, facility__status=FacilityStatus.PUBLISHED
    ).exists()
    if not covered:
        raise InvalidField("facility_id", _("Cet équipement n'est pas couvert par cette convention."))
    first, last = _date(first_day, "first_day"), _date(last_day, "last_day")
    _check_window(agreement, first, last, today)
    size = _check_party(agreement, party_size)
    _check_quotas(agreement, actor, first.year)
    voucher = _insert(
        agent=actor,
        employer=eligibility.organisation,
        agreement=agreement,
        facility_id=facility_id,
        window=DateRange(first, last + dt.timedelta(days=1)),
        year=first.year,
        party_size=size,
        issued_at=timezone.now(),
    )
    audit_record(
        actor=actor, obj=voucher, from_state="", to_state=str(VoucherStatus.ISSUED), transition="issue"
    )
    return voucher


@transaction.atomic
def voucher_cancel(*, actor: User, voucher_id: int) -> Voucher:
    """The holder gives an unused voucher back (its unit returns to the quotas). Raises VoucherNotFound,
    VoucherWrongState."""
    voucher = Voucher.objects.select_for_update().filter(pk=voucher_id, agent=actor).first()
    if voucher is None:
        raise VoucherNotFound()
    transition_run(
        voucher,
        "cancel",
        actor=actor,
        refused=VoucherForbidden,
        wrong_state=VoucherWrongState,
        at=timezone.now(),
    )
    return voucher


# ---- Validating --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Venue:
    """Who validates: a desk agent's session (their employers' facilities) or a venue's API key (its one
    facility)."""

    user: User | None = None
    api_key: VenueApiKey | None = None

    def vouchers(self) -> Any:
        if self.api_key is not None:
            return Voucher.objects.filter(facility_id=self.api_key.facility_id)
        return Voucher.objects.validatable_by(self.user)


def _find(venue: Venue, *, code: str = "", token: str = "", lock: bool = True) -> Voucher:
    """The voucher a code or a signed token names, among those the venue may validate (locked for a write).
    Raises VoucherBadToken, InvalidField, VoucherNotFound (another venue's voucher too)."""
    rows = venue.vouchers().select_related("agent", "facility", "agreement")
    if lock:
        rows = rows.select_for_update(of=("self",))
    if token:
        try:
            claims = signing.verify(token)
        except signing.BadToken as error:
            raise VoucherBadToken() from error
        voucher = rows.filter(pk=claims.get("vid"), code=claims.get("code")).first()
    else:
        typed = normalise_code(code)
        if len(typed) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in typed):
            raise InvalidField(
                "code", _("Un code a %(n)d caractères (lettres et chiffres).") % {"n": CODE_LENGTH}
            )
        voucher = rows.filter(code=typed).first()
    if voucher is None:
        raise VoucherNotFound()
    return voucher


def voucher_lookup(*, venue: Venue, code: str = "", token: str = "") -> Voucher:
    """What the desk sees before validating (holder, party, dates, status); no write, no lock."""
    return _find(venue, code=code, token=token, lock=False)


def _validate_locked(
    voucher: Voucher, *, venue: Venue, channel: str, at: dt.datetime, device: str, offline: bool
) -> str:
    now = timezone.now()
    if voucher.status == VoucherStatus.USED:
        if not offline:
            assert voucher.validated_at is not None
            raise VoucherAlreadyUsed(
                _("Ce bon a déjà été validé le %(when)s.")
                % {"when": timezone.localtime(voucher.validated_at).strftime("%d/%m/%Y à %H:%M")},
                detail={"validated_at": voucher.validated_at.isoformat(), "via": voucher.validated_via},
            )
        VoucherValidation.objects.create(
            voucher=voucher,
            validated_at=at,
            received_at=now,
            channel=channel,
            user=venue.user,
            api_key=venue.api_key,
            device=device,
            accepted=False,
        )
        Voucher.objects.filter(pk=voucher.pk).update(double_validation=True)
        voucher.double_validation = True
        return "flagged"
    if voucher.status == VoucherStatus.EXPIRED and not offline:
        # Offline, the holder came within the window and the expiry ran before the upload: it stands.
        raise VoucherWrongState(detail={"state": voucher.status})
    if not voucher.window.lower <= timezone.localtime(at).date() < voucher.window.upper:
        raise VoucherOutsideWindow(
            _("Ce bon vaut du %(first)s au %(last)s.")
            % {
                "first": voucher.first_day.strftime("%d/%m/%Y"),
                "last": voucher.last_day.strftime("%d/%m/%Y"),
            },
            detail={"first_day": voucher.first_day.isoformat(), "last_day": voucher.last_day.isoformat()},
        )
    transition_run(
        voucher,
        "validate",
        actor=venue.user if venue.api_key is None else None,
        refused=VoucherForbidden,
        wrong_state=VoucherWrongState,
        comment=channel,
        at=at,
        by=venue.user,
        via=channel,
        api_key=venue.api_key,
    )
    VoucherValidation.objects.create(
        voucher=voucher,
        validated_at=at,
        received_at=now,
        channel=channel,
        user=venue.user,
        api_key=venue.api_key,
        device=device,
        accepted=True,
    )
    if venue.api_key is not None:
        VenueApiKey.objects.filter(pk=venue.api_key.pk).update(last_used_at=now)
    return "validated"


@transaction.atomic
def voucher_validate(*, venue: Venue, code: str = "", token: str = "") -> Voucher:
    """Use a voucher now (desk page or API key). Raises VoucherNotFound / VoucherBadToken (404, another
    venue's voucher too), InvalidField (422), VoucherAlreadyUsed (409, with the first validation's time),
    VoucherWrongState (409: cancelled, expired), VoucherOutsideWindow (409)."""
    voucher = _find(venue, code=code, token=token)
    channel = ValidationChannel.API_KEY if venue.api_key is not None else ValidationChannel.DESK
    _validate_locked(voucher, venue=venue, channel=channel, at=timezone.now(), device="", offline=False)
    return voucher


@dataclass(frozen=True)
class SyncResult:
    index: int
    result: str  # validated, flagged (validated before: kept, the voucher flagged), error
    voucher_id: int | None = None
    code: str = ""
    message: str = ""


def voucher_validations_sync(*, venue: Venue, items: list[dict[str, Any]]) -> list[SyncResult]:
    """Upload validations a venue made offline ({code or token, validated_at, device}), oldest first. Each
    item is its own transaction: a refused item does not lose the others. A voucher validated twice is
    flagged and the second attempt kept."""
    if not items:
        raise InvalidField("batch", _("Au moins une validation est attendue."))
    if len(items) > MAX_BATCH:
        raise InvalidField("batch", _("%(n)d validations au plus par envoi.") % {"n": MAX_BATCH})
    now = timezone.now()
    for index, item in enumerate(items):
        at = item.get("validated_at")
        if not isinstance(at, dt.datetime) or timezone.is_naive(at):
            raise InvalidField(f"batch.{index}.validated_at", _("Date et heure avec fuseau attendues."))
        if at > now + dt.timedelta(minutes=5):
            raise InvalidField(f"batch.{index}.validated_at", _("Cette date est dans le futur."))
        if bool(item.get("code")) == bool(item.get("token")):
            raise InvalidField(f"batch.{index}", _("Donnez soit le code, soit le jeton du QR code."))
        try:
            item["device"] = clean_text(str(item.get("device") or ""), max_length=100)
        except InputError as error:
            raise InvalidField(f"batch.{index}.device", error.message) from error
    order = sorted(range(len(items)), key=lambda i: items[i]["validated_at"])
    results: dict[int, SyncResult] = {}
    for index in order:
        item = items[index]
        try:
            with transaction.atomic():
                voucher = _find(venue, code=item.get("code") or "", token=item.get("token") or "")
                outcome = _validate_locked(
                    voucher,
                    venue=venue,
                    channel=ValidationChannel.OFFLINE_SYNC,
                    at=item["validated_at"],
                    device=item["device"],
                    offline=True,
                )
            results[index] = SyncResult(index, outcome, voucher.pk)
        except (
            VoucherNotFound,
            VoucherBadToken,
            VoucherWrongState,
            VoucherOutsideWindow,
            InvalidField,
        ) as error:
            results[index] = SyncResult(index, "error", None, error.code, error.message)
    return [results[i] for i in range(len(items))]


# ---- Expiry ------------------------------------------------------------------------------------------------


def vouchers_expire(*, today: dt.date | None = None) -> int:
    """The platform expires the issued vouchers whose window ended before `today`; one short transaction
    each, so a long run never holds many locks."""
    today = today or timezone.localdate()
    ids = list(
        Voucher.objects.filter(
            status=VoucherStatus.ISSUED, window__fully_lt=DateRange(today, None)
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            voucher = Voucher.objects.select_for_update().filter(pk=pk, status=VoucherStatus.ISSUED).first()
            if voucher is None:
                continue
            transition_run(voucher, "expire", actor=None, wrong_state=VoucherWrongState, at=timezone.now())
            done += 1
    return done


# ---- Venue API keys ----------------------------------------------------------------------------------------


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def venue_api_key_create(*, actor: User, facility_id: int, name: str) -> tuple[VenueApiKey, str]:
    """A new key for a facility (its employer's correspondents); the clear key is returned once, only its
    hash is kept. Raises FacilityNotFound, InvalidField."""
    facility = Facility.objects.managed_by(actor).filter(pk=facility_id).first()
    if facility is None:
        raise FacilityNotFound()
    try:
        label = clean_text(name, min_length=1, max_length=100)
    except InputError as error:
        raise InvalidField("name", error.message) from error
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = VenueApiKey.objects.create(
        facility=facility, name=label, prefix=prefix, key_hash=hash_key(secret), created_by=actor
    )
    return key, secret


@transaction.atomic
def venue_api_key_revoke(*, actor: User, key_id: int) -> VenueApiKey:
    key = (
        VenueApiKey.objects.select_for_update()
        .select_related("facility__organisation")
        .filter(pk=key_id)
        .first()
    )
    if key is None or not (actor.is_superuser or is_correspondent_of(actor, key.facility.organisation)):
        raise ApiKeyNotFound()
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def venue_api_key_authenticate(secret: str) -> VenueApiKey | None:
    """The active key this clear key is, or None (constant-time comparison of the hashes)."""
    parts = secret.strip().split("_")
    if len(parts) < 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = (
        VenueApiKey.objects.select_related("facility")
        .filter(prefix=parts[1], revoked_at__isnull=True, facility__status=FacilityStatus.PUBLISHED)
        .first()
    )
    if key is None or not secrets.compare_digest(key.key_hash, hash_key(secret.strip())):
        return None
    return key


def vouchers_cancel_for_erasure(*, user: User) -> int:
    """Cancel the person's issued vouchers before their account is erased (inside the erasure's transaction)."""
    done = 0
    for voucher in Voucher.objects.select_for_update().filter(agent=user, status=VoucherStatus.ISSUED):
        transition_run(voucher, "cancel", actor=None, wrong_state=VoucherWrongState, at=timezone.now())
        done += 1
    return done
