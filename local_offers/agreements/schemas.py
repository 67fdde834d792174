"""API shapes of the agreements: inputs loosely typed (the service checks every field and names the wrong one
in a 422), outputs flat."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from local_offers.agreements import selectors
from local_offers.models import Agreement
from marketplace.workflows import transition_allowed

TRANSITIONS = (
    "submit",
    "withdraw",
    "resubmit",
    "start_review",
    "request_changes",
    "approve",
    "reject",
    "suspend",
    "reinstate",
    "terminate",
)


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int
    facility_ids: list[int] = Field(max_length=200)
    benefit_kind: str = Field(max_length=20, description="free, percent ou fixed_price")
    benefit_value: Decimal | None = None
    conditions: str = Field("", max_length=6000)
    party_min: int = 1
    party_max: int = 1
    audience_all: bool = True
    audience_regions: list[str] = Field(default_factory=list, max_length=20)
    audience_departements: list[str] = Field(default_factory=list, max_length=110)
    quota_per_agent: int | None = None
    quota_total: int | None = None
    valid_from: dt.date
    valid_until: dt.date


class AgreementEdit(Schema):
    """Every field again (the editor sends the whole form)."""

    model_config = ConfigDict(extra="forbid")

    facility_ids: list[int] = Field(max_length=200)
    benefit_kind: str = Field(max_length=20)
    benefit_value: Decimal | None = None
    conditions: str = Field("", max_length=6000)
    party_min: int = 1
    party_max: int = 1
    audience_all: bool = True
    audience_regions: list[str] = Field(default_factory=list, max_length=20)
    audience_departements: list[str] = Field(default_factory=list, max_length=110)
    quota_per_agent: int | None = None
    quota_total: int | None = None
    valid_from: dt.date
    valid_until: dt.date


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=6000)


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    officer_id: int


class CoveredOut(Schema):
    id: int
    name: str
    departement: str


class AgreementOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    status: str
    version: int
    previous_id: int | None
    facilities: list[CoveredOut]
    benefit_kind: str
    benefit_value: Decimal | None
    conditions: str
    party_min: int
    party_max: int
    audience_all: bool
    audience_regions: list[str]
    audience_departements: list[str]
    quota_per_agent: int | None
    quota_total: int | None
    valid_from: dt.date
    valid_until: dt.date
    officer_id: int | None
    waiting_days: int | None
    has_document: bool
    allowed: list[str]

    @staticmethod
    def resolve_organisation(obj: Agreement) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_facilities(obj: Agreement) -> list[dict[str, Any]]:
        return [
            {"id": row.facility_id, "name": row.facility.name, "departement": row.facility.departement_id}
            for row in obj.covered.all()
        ]

    @staticmethod
    def resolve_audience_regions(obj: Agreement) -> list[str]:
        return [r.code for r in obj.audience_regions.all()]

    @staticmethod
    def resolve_audience_departements(obj: Agreement) -> list[str]:
        return [d.code for d in obj.audience_departements.all()]

    @staticmethod
    def resolve_valid_from(obj: Agreement) -> dt.date:
        return obj.validity.lower

    @staticmethod
    def resolve_valid_until(obj: Agreement) -> dt.date:
        return obj.validity.upper - dt.timedelta(days=1)

    @staticmethod
    def resolve_waiting_days(obj: Agreement) -> int | None:
        return selectors.waiting_days(obj)

    @staticmethod
    def resolve_has_document(obj: Agreement) -> bool:
        return bool(obj.document)

    @staticmethod
    def resolve_allowed(obj: Agreement, context: Any) -> list[str]:
        actor = context["request"].user
        return [name for name in TRANSITIONS if transition_allowed(obj, name, actor)]
