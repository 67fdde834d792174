import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field

from marketplace.inputs import Comment, Email, OrganisationName, Phone, RequiredEmail, Siren
from marketplace.organisations.models import OrganisationKind, StaffRoleKind


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    siren: str
    status: str
    agents_count: int
    seat_commune: str
    seat_commune_name: str
    departement: str

    @staticmethod
    def resolve_seat_commune(obj: object) -> str:
        return str(obj.seat_commune_id)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_seat_commune_name(obj: object) -> str:
        return str(obj.seat_commune.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_departement(obj: object) -> str:
        return str(obj.seat_commune.departement_id)  # type: ignore[attr-defined]


class OrganisationRegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: OrganisationName
    kind: OrganisationKind
    siren: Siren
    seat_commune: Annotated[
        str,
        Field(
            min_length=5, max_length=5, pattern=r"^[0-9][0-9AB][0-9]{3}$", description="Code INSEE du siège"
        ),
    ]
    agents_count: Annotated[int, Field(ge=0, le=500_000)] = 0
    contact_email: Email = ""
    contact_phone: Phone = ""


class OrganisationProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    agents_count: Annotated[int, Field(ge=0, le=500_000)] | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: Comment = ""


class PeriodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date


class PeriodOut(Schema):
    id: int
    start: dt.date
    end: dt.date

    @staticmethod
    def resolve_start(obj: object) -> dt.date:
        return obj.period.lower  # type: ignore[attr-defined]

    @staticmethod
    def resolve_end(obj: object) -> dt.date:
        return obj.period.upper  # type: ignore[attr-defined]


class EmploymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int


class EmploymentOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    agent_name: str
    status: str
    requested_at: dt.datetime

    @staticmethod
    def resolve_organisation_name(obj: object) -> str:
        return str(obj.organisation.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agent_name(obj: object) -> str:
        return str(obj.agent)  # type: ignore[attr-defined]


class StaffInviteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: RequiredEmail
    role: StaffRoleKind


class StaffRoleOut(Schema):
    id: int
    organisation_id: int
    user_name: str
    role: str
    status: str

    @staticmethod
    def resolve_user_name(obj: object) -> str:
        return str(obj.user)  # type: ignore[attr-defined]


class OfficerQueueOut(Schema):
    organisations: list[OrganisationOut]
    staff_roles: list[StaffRoleOut]
    employments: list[EmploymentOut]  # correspondents' own requests, that no other correspondent confirms


class EligibilityOut(Schema):
    eligible: bool
    reason_code: str
    message: str
    organisation_id: int | None

    @staticmethod
    def resolve_organisation_id(obj: object) -> int | None:
        organisation = obj.organisation  # type: ignore[attr-defined]
        return organisation.pk if organisation else None


class StaffInvitationOut(Schema):
    """The same answer whether the invited address has an account or not."""

    id: int
    organisation_id: int
    organisation_name: str
    email: str
    role: str
    status: str
    created_at: dt.datetime

    @staticmethod
    def resolve_organisation_name(obj: object) -> str:
        return str(obj.organisation.name)  # type: ignore[attr-defined]
