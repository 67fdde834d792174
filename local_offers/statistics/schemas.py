"""API shapes of the statistics. A figure about fewer than 5 distinct agents is the string "< 5", as on the
pages and in the CSV files."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

Figure = int | Literal["< 5"]


class Figures(Schema):
    uses: Figure = Field(description='vouchers validated; "< 5" when fewer than 5 distinct agents')
    persons: Figure = Field(description="people admitted (the vouchers' party sizes)")
    agents: Figure = Field(description="distinct agents")


class OrganisationRef(Schema):
    id: int
    name: str


class SolidarityMonth(Schema):
    month: dt.date
    given: Figures | None = Field(description="the employer's facilities used by other employers' agents")
    received: Figures | None = Field(description="the employer's agents at other employers' facilities")
    balance: Figure | None = Field(description="given − received uses; shown only when both sides are")


class SolidarityTotal(Schema):
    given: Figures
    received: Figures
    balance: Figure | None


class SolidarityAgreement(Figures):
    agreement: int
    provider: str
    side: Literal["given", "received"]


class SolidarityOut(Schema):
    organisation: OrganisationRef
    since: dt.date
    months: int
    threshold: int
    by_month: list[SolidarityMonth]
    total: SolidarityTotal
    by_agreement: list[SolidarityAgreement]


class DepartementRef(Schema):
    code: str
    name: str


class StatusRow(Schema):
    departement: str | None = Field(description="null: the whole territory, each agreement counted once")
    name: str
    counts: dict[str, int]
    total: int


class ReviewMonth(Schema):
    month: dt.date
    decisions: int
    median_days: float | None
    p90_days: float | None


class ReviewOverall(Schema):
    decisions: int
    median_days: float | None
    p90_days: float | None


class Reviews(Schema):
    months: list[ReviewMonth]
    overall: ReviewOverall


class UsageDepartement(Figures):
    departement: str
    name: str


class UsageMonth(Figures):
    month: dt.date


class UsageByDepartement(Schema):
    rows: list[UsageDepartement]
    total: Figures


class UsageByMonth(Schema):
    rows: list[UsageMonth]
    total: Figures


class TerritoryOut(Schema):
    departements: list[DepartementRef]
    national: bool
    since: dt.date
    months: int
    threshold: int
    agreements_by_status: list[StatusRow]
    review_times: Reviews
    usage_by_departement: UsageByDepartement
    usage_by_month: UsageByMonth
