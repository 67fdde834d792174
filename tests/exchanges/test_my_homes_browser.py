"""An eligible agent proposes their home in Debian's Chromium: details, pin on the map, availability, wish,
publication; then another agent finds it on the map search."""

from playwright.sync_api import Page, expect

from exchanges.models import Home, HomeStatus
from tests.accounts.conftest import jpeg_with_gps
from tests.browser import JOURNEY, assert_accessible
from tests.factories.exchanges import in_days
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_agent_proposes_a_home_that_another_agent_finds(people, live_server, page: Page, browser):
    log_in(page, live_server.url, people.owner.email)
    assert_accessible(page)
    page.goto(f"{live_server.url}/mon-logement/")
    assert_accessible(page)
    page.get_by_label("Titre").fill("Maison près de la Bastille")
    page.get_by_label("Type").select_option("house")
    page.get_by_label("Couchages").fill("5")
    page.get_by_label("Jardin").check()
    page.get_by_label("Adresse", exact=False).fill("12 rue Très Cloîtres")
    expect(page.locator("#pin-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    # Centre the map on Grenoble by its name, then place the pin with a click in the middle of the map.
    page.get_by_label("Commune (pour centrer la carte)").fill("Grenoble")
    page.wait_for_function(
        "() => document.querySelectorAll('#commune-options option').length > 0", timeout=10_000
    )
    page.get_by_label("Commune (pour centrer la carte)").fill("Grenoble (38)")
    page.wait_for_function("() => window.reciproquePinMap.getZoom() > 12", timeout=10_000)
    page.wait_for_function("() => !window.reciproquePinMap.isMoving()", timeout=10_000)
    page.locator("#pin-map canvas").click()
    expect(page.get_by_label("Longitude")).not_to_have_value("")
    page.get_by_role("button", name="Enregistrer le logement").click()
    expect(page.locator(".messages")).to_contain_text("Logement enregistré", timeout=15_000)
    assert_accessible(page)
    home = Home.objects.get(owner=people.owner)
    assert home.commune_id == "38185"

    # A photo, sent with a progress bar; the page reloads with it.
    page.locator("form.photo-upload input[type=file]").set_input_files(
        files={"name": "salon.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((1200, 900))}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la photo").click()
    assert_accessible(page)
    expect(page.get_by_role("img", name="Photo 1 du logement")).to_be_visible()
    page.locator("form.period-form input[name=start]").fill(str(in_days(30)))
    page.locator("form.period-form input[name=end]").fill(str(in_days(44)))
    page.get_by_role("button", name="Ajouter la disponibilité").click()
    expect(page.locator(".messages")).to_contain_text("Disponibilité ajoutée.", timeout=15_000)
    page.get_by_label("Régions").select_option("53")
    page.locator("form.wish-form input[name=start]").fill(str(in_days(30)))
    page.locator("form.wish-form input[name=end]").fill(str(in_days(44)))
    page.get_by_role("button", name="Ajouter le souhait").click()
    expect(page.locator(".messages")).to_contain_text("Souhait ajouté.", timeout=15_000)
    page.get_by_role("button", name="Publier « Maison près de la Bastille »").click()
    expect(page.locator(".messages")).to_contain_text("Logement publié", timeout=15_000)
    home.refresh_from_db()
    assert home.status == HomeStatus.PUBLISHED
    assert home.periods.count() == 1
    assert home.wishes.get().regions == ["53"]
    assert home.photos.count() == 1

    other = browser.new_page(locale="fr-FR")
    log_in(other, live_server.url, people.other.email)
    assert_accessible(other)
    other.goto(f"{live_server.url}/logements/?departement=38&guests=4&start={in_days(32)}&end={in_days(39)}")
    assert_accessible(other)
    expect(other.locator(".home-card")).to_have_count(1)
    expect(other.locator(".home-card")).to_contain_text("Maison près de la Bastille")
    other.close()
