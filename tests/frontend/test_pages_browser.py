"""Pages that no other journey passes through, in Debian's Chromium, each checked by axe-core as it is
reached (tests/browser.py): the sources, a missing page, an employer's registration and its errors."""

from playwright.sync_api import Page, expect

from marketplace.organisations.models import Organisation
from tests.browser import JOURNEY
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_sources_then_a_missing_page(live_server, page: Page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("contentinfo").get_by_role("link", name="Sources et licences").click()
    expect(page.locator("h1")).to_have_text("Sources et licences")
    response = page.goto(f"{live_server.url}/nulle-part/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
    page.get_by_role("link", name="Retour à l'accueil").click()
    expect(page.locator("h1")).to_contain_text("Réciproque")


def test_registering_an_employer_shows_each_mistake_next_to_its_field(world, live_server, page: Page):
    log_in(page, live_server.url, world.agent.email)
    page.get_by_role("link", name="Mon employeur").click()
    page.get_by_role("link", name="Inscrivez-le").click()
    expect(page.locator("h1")).to_have_text("Inscrire un employeur adhérent")
    page.get_by_label("Nom de l'employeur").fill("Mairie de Voiron")
    page.get_by_label("SIREN (9 chiffres)").fill("123")
    page.get_by_role("button", name="Envoyer l'inscription").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert not Organisation.objects.filter(name="Mairie de Voiron").exists()
