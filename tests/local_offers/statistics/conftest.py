"""Two providers, Ville de Grenoble (Isère) and Ville de Chambéry (Savoie), each with an agreement in force,
the officers of both départements, and a helper that records a validated voucher at a given time."""

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone
from psycopg.types.range import Range

from geo.models import Departement
from local_offers.agreements import services
from local_offers.models import Agreement, Facility
from local_offers.vouchers.models import CODE_ALPHABET, Voucher, VoucherStatus
from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation
from tests.factories.accounts import UserFactory
from tests.factories.local_offers import make_facility
from tests.factories.organisations import OfficerTerritoryFactory
from tests.local_offers.agreements.conftest import signed_pdf, terms
from tests.local_offers.conftest import Cast

CHAMBERY = (5.9178, 45.5646)
_codes = itertools.count(1)


def next_code() -> str:
    n = next(_codes)
    out = []
    for _ in range(8):
        n, r = divmod(n, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[r])
    return "".join(out)


def approved(correspondent: User, organisation: Organisation, facility: Facility, officer: User) -> Agreement:
    agreement = services.agreement_create(
        actor=correspondent, organisation_id=organisation.pk, **terms([facility])
    )
    services.agreement_document_upload(actor=correspondent, agreement=agreement, upload=signed_pdf())
    services.agreement_submit(actor=correspondent, agreement=agreement)
    services.agreement_start_review(actor=officer, agreement=agreement)
    return services.agreement_approve(actor=officer, agreement=agreement, comment="Conforme.")


@dataclass
class Stats:
    cast: Cast
    museum: Facility  # Grenoble's, in Isère
    pool: Facility  # Chambéry's, in Savoie
    grenoble_agreement: Agreement
    chambery_agreement: Agreement
    savoie_officer: User

    def agents(self, n: int) -> list[User]:
        return [UserFactory() for _ in range(n)]

    def use(
        self,
        agent: User | None,
        employer: Organisation,
        agreement: Agreement,
        at: dt.datetime,
        party: int = 1,
    ) -> Voucher:
        """A voucher validated at the desk at `at` (written directly: the statistics only read vouchers)."""
        facility = self.museum if agreement == self.grenoble_agreement else self.pool
        day = timezone.localtime(at).date()
        return Voucher.objects.create(
            agent=agent,
            employer=employer,
            agreement=agreement,
            facility=facility,
            window=Range(day, day + dt.timedelta(days=1)),
            year=day.year,
            party_size=party,
            code=next_code(),
            status=VoucherStatus.USED,
            issued_at=at - dt.timedelta(hours=1),
            validated_at=at,
            validated_via="desk",
        )


@pytest.fixture
def stats(cast) -> Stats:
    savoie_officer = OfficerTerritoryFactory(departement=Departement.objects.get(code="73")).officer
    museum = make_facility(cast.correspondent, cast.grenoble, publish=True)
    pool = make_facility(
        cast.other_correspondent,
        cast.chambery,
        lon=CHAMBERY[0],
        lat=CHAMBERY[1],
        name="Piscine de Buisson-Rond",
        category="pool",
        publish=True,
    )
    return Stats(
        cast=cast,
        museum=museum,
        pool=pool,
        grenoble_agreement=approved(cast.correspondent, cast.grenoble, museum, cast.officer),
        chambery_agreement=approved(cast.other_correspondent, cast.chambery, pool, savoie_officer),
        savoie_officer=savoie_officer,
    )


def mid_last_month() -> dt.datetime:
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=15)
    return timezone.make_aware(dt.datetime.combine(last_month, dt.time(14, 0)))
