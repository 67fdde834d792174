"""An agent finds a home on the map by area, dates and party size, in Debian's Chromium, with no request to
another host; the list, the map and the address follow each change of the filters without a reload."""

import re

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


def requests_outside(page: Page, base: str) -> list[str]:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None,
    )
    return outside


TILES = "() => window.reciproqueMap.getSource('homes').serialize().tiles[0]"


def tiles_query(page: Page) -> str:
    return page.evaluate(TILES).split(".mvt", 1)[1]


def test_filters_update_the_list_the_map_and_the_address_live_and_back_replays_them(
    people, homes, live_server, page: Page
):
    outside = requests_outside(page, live_server.url)
    log_in(page, live_server.url, people.ineligible.email)
    page.get_by_role("link", name="Échanges").click()
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    cards, count = page.locator(".home-card"), page.locator("#results-count")
    expect(count).to_have_text("2 logements")
    assert tiles_query(page) == ""
    page.evaluate("window.searchMarker = 'the same document'")  # gone if the page reloaded

    page.get_by_label("Région").select_option("53")  # no button pressed: the change is enough
    expect(count).to_have_text("1 logement")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Quimper")
    expect(page).to_have_url(re.compile(r"/logements/\?region=53$"))
    page.wait_for_function(f"() => ({TILES})().endsWith('.mvt?region=53')")  # the map: the same search
    expect(page.locator("#saved-query")).to_have_value("region=53")  # "Enregistrer cette recherche" too

    page.get_by_label("Voyageurs").fill("7")  # typed: asked once the typing pauses
    expect(page.locator("#results")).to_contain_text("Aucun logement ne correspond")
    expect(count).to_have_text("Aucun logement")
    expect(page).to_have_url(re.compile(r"\?guests=7&region=53$"))
    page.get_by_label("Voyageurs").fill("")
    expect(cards).to_have_count(1)

    # A refused search: its message where the results were, the form as typed, the map as it was.
    page.get_by_label("Arrivée").fill(str(in_days(22)))
    page.get_by_label("Départ").fill(str(in_days(21)))
    expect(page.get_by_role("alert")).to_have_text("Départ : Le départ doit être après l'arrivée.")
    expect(page.get_by_label("Arrivée")).to_have_value(str(in_days(22)))
    expect(page.get_by_label("Région")).to_have_value("53")
    assert tiles_query(page) == "?region=53"
    page.get_by_label("Départ").fill(str(in_days(29)))  # Quimper is free from day 20 to day 30
    expect(cards).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
    page.wait_for_function(f"() => ({TILES})().includes('start={in_days(22)}&end={in_days(29)}')")

    # Back: the search before (the refused one was never an address), form, list and map alike.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/logements/\?region=53$"))
    expect(page.get_by_label("Arrivée")).to_have_value("")
    expect(cards).to_have_count(1)
    page.wait_for_function(f"() => ({TILES})().endsWith('.mvt?region=53')")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?guests=7&region=53$"))
    expect(page.get_by_label("Voyageurs")).to_have_value("7")
    expect(cards).to_have_count(0)
    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/logements/$"))
    expect(page.get_by_label("Région")).to_have_value("")
    expect(cards).to_have_count(2)
    page.wait_for_function(f"() => ({TILES})().endsWith('.mvt')")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/logements/\?region=53$"))
    expect(cards).to_have_count(1)
    assert page.evaluate("window.searchMarker") == "the same document"
    assert outside == []


def test_search_this_area_after_moving_the_map_then_all_of_france_again(
    people, homes, live_server, page: Page
):
    outside = requests_outside(page, live_server.url)
    log_in(page, live_server.url, people.ineligible.email)
    page.get_by_role("link", name="Échanges").click()
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.evaluate("window.searchMarker = 'the same document'")
    area = page.get_by_role("button", name="Chercher dans cette zone")
    expect(area).to_be_hidden()  # nothing to offer before the map moved
    page.locator("#map canvas").focus()
    page.keyboard.press("ArrowRight")  # the keyboard moves the map too
    expect(area).to_be_visible()
    # Brittany only, as a person would zoom there.
    page.evaluate("window.reciproqueMap.fitBounds([[-5.2, 47.6], [-3.0, 48.8]], {animate: false})")
    area.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".home-card")).to_have_count(1)
    expect(page.locator(".home-card").first).to_contain_text("Quimper")
    expect(page).to_have_url(re.compile(r"/logements/\?bbox=[-\d.]+%2C[-\d.]+%2C[-\d.]+%2C[-\d.]+$"))
    expect(area).to_be_hidden()
    expect(page.locator("#saved-query")).to_have_value(re.compile(r"^bbox="))

    # "Chercher quand je déplace la carte": each move searches by itself.
    page.get_by_label("Chercher quand je déplace la carte").check()
    page.evaluate("window.reciproqueMap.fitBounds([[5.5, 45.0], [6.0, 45.4]], {animate: false})")
    expect(page.locator(".home-card")).to_have_count(1)
    expect(page.locator(".home-card").first).to_contain_text("Grenoble")
    expect(area).to_be_hidden()

    page.get_by_role("link", name="Toute la France").click()
    expect(page.locator(".home-card")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/logements/$"))
    assert page.evaluate("window.searchMarker") == "the same document"
    assert outside == []


def test_next_homes_come_below_the_first_ones(people, homes, live_server, page: Page):
    log_in(page, live_server.url, people.ineligible.email)
    page.get_by_role("link", name="Échanges").click()
    expect(page.locator(".home-card")).to_have_count(2)
    page.goto(f"{live_server.url}/logements/?limit=1")
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    cards = page.locator(".home-card")
    expect(cards).to_have_count(1)
    expect(page.locator("#results-count")).to_have_text("Plus de 1 logement")
    page.evaluate("window.searchMarker = 'the same document'")
    page.get_by_role("link", name="Logements suivants").focus()
    page.keyboard.press("Enter")
    expect(cards).to_have_count(2)  # added below, not instead
    expect(cards.nth(0)).to_contain_text("Quimper")
    expect(cards.nth(1)).to_contain_text("Grenoble")
    expect(cards.nth(1).get_by_role("link")).to_be_focused()  # the keyboard goes on from the first added
    expect(page.locator("#results-count")).to_have_text("1 logement de plus")
    expect(page.get_by_role("link", name="Logements suivants")).to_have_count(0)  # the last page
    expect(page).to_have_url(re.compile(r"/logements/\?limit=1$"))  # still the same search
    assert page.evaluate("window.searchMarker") == "the same document"


def test_without_javascript_the_form_still_searches(people, homes, live_server, page: Page):
    # The site's scripts never arrive (htmx, MapLibre, search.js); axe-core, injected by the test, still runs.
    page.route(re.compile(r"\.js(\?.*)?$"), lambda route: route.abort())
    log_in(page, live_server.url, people.ineligible.email)
    page.get_by_role("link", name="Échanges").click()
    cards = page.locator(".home-card")
    expect(cards).to_have_count(2)
    page.get_by_label("Région").select_option("53")
    expect(cards).to_have_count(2)  # nothing runs on a change: the button searches
    page.get_by_label("Arrivée").fill(str(in_days(22)))
    page.get_by_label("Départ").fill(str(in_days(21)))
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Départ : Le départ doit être après l'arrivée.")
    expect(page.get_by_label("Région")).to_have_value("53")
    page.get_by_label("Départ").fill(str(in_days(29)))
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher", exact=True).click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Quimper")
    expect(page.locator("#results-count")).to_have_text("1 logement")
    assert "region=53" in page.url
