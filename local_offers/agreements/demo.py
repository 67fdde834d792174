"""Demo agreements, written through the services as people would: for the demo employers' published
museums, libraries and pools, agreements in various states (a draft, one waiting for review, one with changes
requested, one in force, one ending soon). The demo officer `charge@` (Auvergne-Rhône-Alpes) has at least one
to review. Dates relative to today; idempotent."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from local_offers.agreements import services
from local_offers.exceptions import NoOfficerForTerritory
from local_offers.models import Agreement, Facility, FacilityCategory, FacilityStatus
from marketplace.core.demo import DemoContext
from marketplace.organisations.models import OfficerTerritory, StaffRole

PLAN = ("review", "draft", "changes", "active", "ending")


def _pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("convention-signee.pdf", out.getvalue(), content_type="application/pdf")


def load(context: DemoContext) -> dict[str, int]:
    if Agreement.objects.exists():
        return {}
    charge_departements = set(
        OfficerTerritory.objects.filter(officer__email=context.email("charge")).values_list(
            "departement", flat=True
        )
    )
    facilities = list(
        Facility.objects.filter(
            status=FacilityStatus.PUBLISHED,
            category__in=[FacilityCategory.MUSEUM, FacilityCategory.LIBRARY, FacilityCategory.POOL],
            organisation__staff_roles__user__email__endswith=f"@{context.domain}",
        )
        .distinct()
        .select_related("organisation")
        .order_by("organisation_id", "pk")
    )
    # The demo officer's territory first, so that charge@ has the agreement waiting for review.
    facilities.sort(key=lambda f: (f.departement_id not in charge_departements, f.organisation_id, f.pk))
    used: set[int] = set()
    created = 0
    today = context.today
    for what in PLAN:
        facility = next((f for f in facilities if f.organisation_id not in used), None)
        if facility is None:
            break
        used.add(facility.organisation_id)
        role = (
            StaffRole.objects.active_correspondents()
            .filter(organisation=facility.organisation)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if role is None:
            continue
        start = today - dt.timedelta(days=300) if what == "ending" else today
        end = today + dt.timedelta(days=40) if what == "ending" else today + dt.timedelta(days=364)
        agreement = services.agreement_create(
            actor=role.user,
            organisation_id=facility.organisation_id,
            facility_ids=[facility.pk],
            benefit_kind="percent" if facility.category != FacilityCategory.LIBRARY else "free",
            benefit_value="25" if facility.category != FacilityCategory.LIBRARY else None,
            conditions="Sur présentation du bon, hors expositions temporaires.",
            party_min=1,
            party_max=4,
            audience_all=True,
            quota_per_agent=6,
            quota_total=1000,
            valid_from=start,
            valid_until=end,
        )
        created += 1
        if what == "draft":
            continue
        services.agreement_document_upload(actor=role.user, agreement=agreement, upload=_pdf())
        try:
            agreement = services.agreement_submit(actor=role.user, agreement=agreement)
        except NoOfficerForTerritory:
            continue
        officer = agreement.officer
        if what == "review" or officer is None:
            continue
        services.agreement_start_review(actor=officer, agreement=agreement)
        if what == "changes":
            services.agreement_request_changes(
                actor=officer, agreement=agreement, comment="Précisez les jours d'ouverture concernés."
            )
            continue
        services.agreement_approve(actor=officer, agreement=agreement, comment="Conforme au modèle.")
    return {"conventions": created}
