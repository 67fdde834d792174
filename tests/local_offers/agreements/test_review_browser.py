"""The agreement journey of issue 14 in Debian's Chromium, each person in their own browser, with no request
to another host and axe-checked pages: a correspondent of Ville de Grenoble writes an agreement and submits
it with its signed PDF, the officer of Isère asks for a change, the correspondent makes it and resubmits, the
officer approves; the museum's page then shows the benefit."""

import datetime as dt

from playwright.sync_api import Page, expect

from local_offers.models import Agreement, AgreementStatus
from tests.browser import JOURNEY, assert_accessible
from tests.exchanges.test_search_browser import requests_outside
from tests.factories.local_offers import make_facility
from tests.local_offers.agreements.conftest import pdf_bytes
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

SLOW = 20_000


def test_submit_request_changes_resubmit_approve(cast, live_server, page: Page, new_page, tmp_path):
    base = live_server.url
    facility = make_facility(cast.correspondent, cast.grenoble, publish=True)
    signed = tmp_path / "convention-signee.pdf"
    signed.write_bytes(pdf_bytes())
    outside = requests_outside(page, base)

    # The correspondent writes the draft from the facilities page.
    log_in(page, base, cast.correspondent.email)
    page.get_by_role("link", name="Mes équipements").click()
    page.get_by_role("link", name="Conventions").click()
    page.get_by_role("link", name="Proposer une convention pour Ville de Grenoble").click()
    page.get_by_label(f"{facility.name} — Grenoble").check()
    page.get_by_label("Avantage").select_option("percent")
    page.get_by_label("Valeur").fill("30")
    page.get_by_label("Conditions").fill("Sur présentation du bon.")
    page.get_by_label("Personnes au maximum").fill("4")
    today = dt.date.today()
    page.get_by_label("Valable du").fill(today.isoformat())
    page.get_by_label("au (inclus)").fill((today + dt.timedelta(days=364)).isoformat())
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#agreement-status")).to_contain_text("Brouillon", timeout=SLOW)
    agreement = Agreement.objects.get()
    page.get_by_label("Convention signée (PDF, 5 Mo au plus)").set_input_files(str(signed))
    page.get_by_role("button", name="Envoyer le PDF").click()
    expect(page.locator("#document-link")).to_have_text("convention-signee.pdf", timeout=SLOW)
    page.get_by_role("button", name="Soumettre", exact=True).click()
    expect(page.locator("#agreement-status")).to_contain_text("Soumise", timeout=SLOW)

    # The officer of Isère finds it in the queue and asks for a change.
    officer = new_page()
    outside_officer = requests_outside(officer, base)
    log_in(officer, base, cast.officer.email)
    assert_accessible(officer)
    officer.goto(f"{base}/offres/conventions/")
    officer.locator("#review-queue").get_by_role("link", name=f"Convention n°{agreement.pk}").click()
    expect(officer.locator("#covered")).to_contain_text(facility.name, timeout=SLOW)
    officer.get_by_role("button", name="Prendre en instruction").click()
    expect(officer.locator("#agreement-status")).to_contain_text("En instruction", timeout=SLOW)
    officer.get_by_label("Commentaire").fill("Limitez à 2 personnes.")
    officer.get_by_role("button", name="Demander des modifications").click()
    expect(officer.locator("#agreement-status")).to_contain_text("Modifications demandées", timeout=SLOW)

    # The correspondent reads the comment, changes the terms and resubmits.
    page.reload()
    expect(page.locator("#history")).to_contain_text("Limitez à 2 personnes.", timeout=SLOW)
    page.get_by_role("link", name="Modifier les termes").click()
    page.get_by_label("Personnes au maximum").fill("2")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#agreement-status")).to_contain_text("Modifications demandées", timeout=SLOW)
    page.get_by_label("Commentaire").fill("C'est corrigé.")
    page.get_by_role("button", name="Soumettre à nouveau").click()
    expect(page.locator("#agreement-status")).to_contain_text("Soumise à nouveau", timeout=SLOW)

    # The officer approves: in force at once.
    officer.reload()
    officer.get_by_role("button", name="Approuver").click()
    expect(officer.locator("#agreement-status")).to_contain_text("En vigueur", timeout=SLOW)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.party_max) == (AgreementStatus.ACTIVE, 2)
    page.goto(f"{base}/offres/equipements/{facility.pk}/")
    expect(page.locator("#benefits")).to_contain_text("30 % de réduction", timeout=SLOW)
    assert outside == outside_officer == []
