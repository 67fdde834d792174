"""The three journeys of the issue, in Debian's Chromium: sign-up + join, correspondent confirms, officer validates."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from marketplace.organisations.models import Employment, EmploymentStatus, OrganisationStatus
from tests.browser import JOURNEY
from tests.factories.accounts import PASSWORD
from tests.factories.organisations import EmploymentFactory

pytestmark = JOURNEY


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe :").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Connexion").click()


def test_sign_up_then_join_my_employer(world, live_server, page: Page):
    page.goto(f"{live_server.url}/comptes/inscription/")
    page.get_by_label("Courriel").fill("nouvel.agent@grenoble.fr")
    page.get_by_label("Nom affiché").fill("Nouvel Agent")
    page.get_by_label("Mot de passe :", exact=True).fill("une-phrase-de-passe-longue")
    page.get_by_label("Mot de passe (confirmation) :").fill("une-phrase-de-passe-longue")
    page.get_by_role("button", name="Création de compte").click()
    expect(page.locator("h1")).to_contain_text("Vérifiez votre adresse")
    link = re.search(r"https?://\S+/comptes/confirm-email/\S+", str(mail.outbox[-1].body))
    assert link is not None
    page.goto(link.group(0).replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator("h1")).to_have_text("Mon profil")

    page.get_by_role("link", name="Mon employeur").click()
    expect(page.locator("#eligibility")).to_have_text("Rattachez-vous d'abord à votre employeur.")
    page.get_by_label("Nom, commune ou SIREN").fill("grenoble")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Demander mon rattachement à Ville de Grenoble").click()
    expect(page.locator(".messages")).to_contain_text("Demande envoyée à votre employeur.")
    expect(page.locator("td.status")).to_have_text("En attente")
    employment = Employment.objects.get(agent__email="nouvel.agent@grenoble.fr")
    assert (employment.organisation, employment.status) == (world.organisation, EmploymentStatus.PENDING)


def test_correspondent_confirms_an_agent(world, live_server, page: Page):
    employment = EmploymentFactory(
        agent=world.agent, organisation=world.organisation, status=EmploymentStatus.PENDING
    )
    log_in(page, live_server.url, world.correspondent.email)
    page.get_by_role("link", name="Espace correspondant").click()
    expect(page.locator("h2#profile-title")).to_have_text("Ville de Grenoble")
    page.get_by_role("button", name=f"Confirmer {world.agent}").click()
    expect(page.locator(".messages")).to_contain_text("Emploi confirmé.")
    expect(page.get_by_text("Aucune demande en attente.")).to_be_visible()
    employment.refresh_from_db()
    assert employment.status == EmploymentStatus.CONFIRMED


def test_officer_validates_a_pending_employer(world, live_server, page: Page):
    log_in(page, live_server.url, world.officer.email)
    page.get_by_role("link", name="Espace chargé de développement").click()
    page.get_by_label("Commentaire (obligatoire pour un refus)").first.fill("Adhésion reçue")
    page.get_by_role("button", name="Valider CCAS de Grenoble").click()
    expect(page.locator(".messages")).to_contain_text("Employeur validé.")
    expect(page.get_by_text("Aucun employeur en attente dans vos départements.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Adhésion reçue")
    world.pending.refresh_from_db()
    assert world.pending.status == OrganisationStatus.VALIDATED


def test_officer_of_another_departement_does_not_see_it(world, live_server, page: Page):
    log_in(page, live_server.url, world.other_officer.email)
    page.get_by_role("link", name="Espace chargé de développement").click()
    expect(page.get_by_text("Aucun employeur en attente dans vos départements.")).to_be_visible()
    expect(page.get_by_text("CCAS de Grenoble")).to_have_count(0)
