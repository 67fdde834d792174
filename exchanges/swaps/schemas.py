"""API shapes of proposals and reviews. `host_contact` (exact address and phone) is filled for a stay's
guest alone, once the swap is confirmed."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from exchanges.nights.schemas import QuoteOut
from exchanges.swaps.models import MAX_HOMES, REVIEW_MAX_CHARS

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class StayIn(Schema):
    model_config = ConfigDict(extra="forbid")

    guest_home: Id = Field(description="Le logement du foyer qui voyage")
    host_home: Id = Field(description="Le logement qui l'accueille")
    start: dt.date
    end: dt.date = Field(description="Exclue : le séjour est [start, end)")
    guests: Annotated[int, Field(ge=1, le=30)]


class ProposalIn(Schema):
    """Une proposition : ses séjours (ceux d'une suggestion, ou deux séjours croisés depuis un logement)."""

    model_config = ConfigDict(extra="forbid")

    stays: Annotated[list[StayIn], Field(min_length=1, max_length=MAX_HOMES)]


class StayDatesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stay: Id
    start: dt.date
    end: dt.date


class CounterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stays: Annotated[list[StayDatesIn], Field(min_length=1, max_length=MAX_HOMES)]


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=500)] = ""


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(ge=1, le=5)]
    text: Annotated[str, Field(min_length=1, max_length=REVIEW_MAX_CHARS)]
    private_note: Annotated[str, Field(max_length=REVIEW_MAX_CHARS)] = Field(
        "", description="Lue par les modérateurs seulement"
    )


class ContactOut(Schema):
    address: str
    phone: str


class StayOut(Schema):
    id: int
    guest_home: int
    host_home: int
    host_home_title: str
    guest: int
    host: int
    start: dt.date
    end: dt.date
    guests: int
    confirmed: bool
    host_contact: ContactOut | None


class PartyOut(Schema):
    user: int
    name: str
    home: int
    home_title: str
    accepted: bool


class ProposalOut(Schema):
    id: int
    status: str
    revision: int
    expires_at: dt.datetime
    created_at: dt.datetime
    conversation: int | None
    parties: list[PartyOut]
    stays: list[StayOut]
    actions: list[str] = Field(description="Les transitions que vous pouvez demander maintenant")
    nights: QuoteOut | None = Field(
        None,
        description="Demande à sens unique : les nuits solidaires qu'elle coûte ou rapporte (null : échange)",
    )


class ReviewOut(Schema):
    id: int
    stay: int
    side: str
    rating: int
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_stay(obj: Any) -> int:
        return int(obj.stay_id)
