"""An agreement of Ville de Grenoble at a facility in Isère, and who comes near it."""

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from geo.models import Departement
from local_offers.agreements import services
from local_offers.models import Agreement, Facility
from marketplace.accounts.models import User
from tests.factories.local_offers import make_facility
from tests.factories.organisations import OfficerTerritoryFactory
from tests.local_offers.conftest import Cast


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("convention signée.pdf", pdf_bytes(), content_type="application/pdf")


def terms(facilities: list[Facility], **fields: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "facility_ids": [f.pk for f in facilities],
        "benefit_kind": "percent",
        "benefit_value": "30",
        "conditions": "Sur présentation du bon.",
        "party_min": 1,
        "party_max": 4,
        "audience_all": True,
        "quota_per_agent": 4,
        "quota_total": 500,
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=364)).isoformat(),
        **fields,
    }


@dataclass
class Scene:
    cast: Cast
    facility: Facility  # Grenoble's museum, in Isère
    savoie_officer: User  # covers Savoie only
    second_officer: User  # also covers Isère

    def draft(self, **fields: object) -> Agreement:
        agreement = services.agreement_create(
            actor=self.cast.correspondent,
            organisation_id=self.cast.grenoble.pk,
            **terms([self.facility], **fields),
        )
        services.agreement_document_upload(
            actor=self.cast.correspondent, agreement=agreement, upload=signed_pdf()
        )
        return agreement

    def submitted(self, **fields: object) -> Agreement:
        agreement = self.draft(**fields)
        return services.agreement_submit(actor=self.cast.correspondent, agreement=agreement)

    def approved(self, **fields: object) -> Agreement:
        agreement = self.submitted(**fields)
        services.agreement_start_review(actor=self.cast.officer, agreement=agreement)
        return services.agreement_approve(actor=self.cast.officer, agreement=agreement, comment="Conforme.")


@pytest.fixture
def scene(cast) -> Scene:
    facility = make_facility(cast.correspondent, cast.grenoble, publish=True)
    savoie = OfficerTerritoryFactory(departement=Departement.objects.get(code="73")).officer
    second = OfficerTerritoryFactory(departement=Departement.objects.get(code="38")).officer
    return Scene(cast=cast, facility=facility, savoie_officer=savoie, second_officer=second)
