"""An agent finds a home on the map by area, dates and party size, in Debian's Chromium, with no request to
another host."""

from playwright.sync_api import Page, expect

from tests.browser import JOURNEY
from tests.factories.exchanges import in_days
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_agent_finds_a_home_by_region_dates_and_party(people, homes, live_server, page: Page):
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    log_in(page, live_server.url, people.ineligible.email)
    page.get_by_role("link", name="Échanges").click()
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.get_by_label("Région").select_option("53")
    page.get_by_label("Arrivée").fill(str(in_days(21)))
    page.get_by_label("Départ").fill(str(in_days(28)))
    page.get_by_label("Voyageurs").fill("5")
    page.get_by_role("button", name="Chercher", exact=True).click()
    cards = page.locator(".home-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Quimper")
    # The map drew the same home from the vector tiles.
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.wait_for_function(
        "() => window.reciproqueMap.querySourceFeatures('homes', {sourceLayer: 'clusters'}).length"
        " + window.reciproqueMap.querySourceFeatures('homes', {sourceLayer: 'homes'}).length > 0",
        timeout=20_000,
    )
    cards.first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(homes["quimper"].title)
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    assert outside == []
