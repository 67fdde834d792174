"""A correspondent adds a facility in the browser: places it with a click on the map, fills its hours, saves
the draft, publishes it; the pages pass axe-core and nothing is requested from another host."""

from playwright.sync_api import Page, expect

from local_offers.models import Facility, FacilityStatus
from tests.browser import JOURNEY
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_correspondent_places_a_facility_on_the_map_and_publishes_it(cast, live_server, page: Page):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None
        ),
    )
    log_in(page, live_server.url, cast.correspondent.email)
    page.get_by_role("link", name="Mes équipements").click()
    page.get_by_role("link", name="Ajouter un équipement").click()
    expect(page.locator("#facility-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.locator("#id_name").fill("Musée dauphinois")
    page.get_by_label("Catégorie").select_option("museum")
    page.evaluate("window.reciproqueFacilityMap.jumpTo({center: [5.7245, 45.1885], zoom: 13})")
    page.wait_for_function("() => !window.reciproqueFacilityMap.isMoving()")
    page.locator("#facility-map").scroll_into_view_if_needed()
    box = page.locator("#facility-map canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_label("Longitude")).not_to_have_value("")
    page.get_by_label("mardi, plage 1 : ouverture").fill("10:00")
    page.get_by_label("mardi, plage 1 : fermeture").fill("18:00")
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.locator("h1")).to_have_text("Musée dauphinois", timeout=20_000)
    facility = Facility.objects.get()
    assert facility.commune_id == "38185"
    assert [(h.weekday, h.minutes.lower, h.minutes.upper) for h in facility.opening_hours.all()] == [
        (2, 600, 1080)
    ]
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_contain_text("Équipement publié", timeout=20_000)
    facility.refresh_from_db()
    assert facility.status == FacilityStatus.PUBLISHED
    page.get_by_role("link", name="Voir la page publiée").click()
    expect(page.locator("#facility-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    assert outside == []
