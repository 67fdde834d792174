"""API shapes of the vouchers: inputs loosely typed (the service checks every field and names the wrong one in
a 422), outputs flat."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class VoucherIn(Schema):
    model_config = ConfigDict(extra="forbid")

    agreement_id: int
    facility_id: int
    first_day: dt.date
    last_day: dt.date
    party_size: int


class VoucherOut(Schema):
    id: int
    code: str = Field(description="Le code à taper à l'accueil (XXXX-XXXX)")
    status: str
    agreement_id: int
    facility_id: int
    facility_name: str
    first_day: dt.date
    last_day: dt.date
    party_size: int
    holder_name: str
    issued_at: dt.datetime
    validated_at: dt.datetime | None
    validated_via: str
    double_validation: bool
    token: str | None = Field(None, description="Le jeton signé du QR code (pour son titulaire seulement)")


class OfflineValidationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field("", max_length=20)
    token: str = Field("", max_length=2000)
    validated_at: dt.datetime
    device: str = Field("", max_length=100)


class ValidateIn(Schema):
    """One validation now (`code` or `token`), or `batch`: validations made offline, with their times."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field("", max_length=20)
    token: str = Field("", max_length=2000)
    batch: list[OfflineValidationIn] | None = Field(None, max_length=500)


class SyncResultOut(Schema):
    index: int
    result: str = Field(description="validated, flagged (déjà validé : gardé et signalé) ou error")
    voucher_id: int | None
    code: str
    message: str


class ValidateOut(Schema):
    voucher: VoucherOut | None = None
    results: list[SyncResultOut] | None = None


class JwkOut(Schema):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class JwksOut(Schema):
    keys: list[JwkOut]


def voucher_out(voucher: Any, *, token: str | None = None) -> dict[str, Any]:
    return {
        "id": voucher.pk,
        "code": voucher.display_code,
        "status": str(voucher.status),
        "agreement_id": voucher.agreement_id,
        "facility_id": voucher.facility_id,
        "facility_name": voucher.facility.name,
        "first_day": voucher.first_day,
        "last_day": voucher.last_day,
        "party_size": voucher.party_size,
        "holder_name": str(voucher.agent) if voucher.agent is not None else "",
        "issued_at": voucher.issued_at,
        "validated_at": voucher.validated_at,
        "validated_via": voucher.validated_via,
        "double_validation": voucher.double_validation,
        "token": token,
    }
