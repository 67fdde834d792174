"""The map page in Debian's Chromium: real boundaries drawn by MapLibre, clicks, keyboard, no third party."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser import JOURNEY, assert_accessible

pytestmark = JOURNEY


@pytest.fixture
def map_page(territories, live_server, page: Page) -> Page:
    hosts: set[str] = set()
    # blob: URLs are MapLibre's own web worker, created in the page.
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc) if r.url.startswith("http") else None)
    page.goto(f"{live_server.url}/carte/")
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=60_000)
    page.hosts = hosts  # type: ignore[attr-defined]
    return page


def test_boundaries_are_drawn_and_a_click_shows_the_departement(map_page: Page, live_server):
    counts = map_page.evaluate(
        """() => {
            const map = window.reciproqueMap;
            const rendered = new Set(map.queryRenderedFeatures({layers: ['departements-fill']})
                                        .map(f => f.properties.code));
            return {
                departements: map.querySourceFeatures('departements').length > 0,
                rendered: rendered.size,
                regions: new Set(map.querySourceFeatures('regions').map(f => f.properties.code)).size,
            };
        }"""
    )
    assert counts["departements"] is True
    assert counts["rendered"] >= 96  # the 96 metropolitan départements are in the initial view
    assert counts["regions"] >= 13

    x, y = map_page.evaluate(
        "() => { const p = window.reciproqueMap.project([5.7245, 45.1885]); return [p.x, p.y]; }"
    )
    box = map_page.locator("#map").bounding_box()
    assert box is not None
    map_page.mouse.click(box["x"] + x, box["y"] + y)
    selection = map_page.locator("#selection")
    expect(selection).to_contain_text("Isère")
    expect(selection).to_contain_text("38")
    expect(selection).to_contain_text("Auvergne-Rhône-Alpes")
    assert map_page.locator("#departement-select").input_value() == "38"
    # Nothing was requested from another host than the live server.
    assert map_page.hosts == {urlparse(live_server.url).netloc}  # type: ignore[attr-defined]


def test_keyboard_users_get_the_same_information_from_the_list(map_page: Page):
    map_page.locator("#departement-select").select_option("2A")
    expect(map_page.locator("#selection")).to_contain_text("Corse-du-Sud")
    expect(map_page.locator("#selection")).to_contain_text("Corse")
    selected = map_page.evaluate(
        "() => window.reciproqueMap.getFeatureState({source: 'departements', id: '2A'}).selected"
    )
    assert selected is True


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(territories, live_server, page: Page):
    page.goto(f"{live_server.url}/carte/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_language_switch_to_english(territories, live_server, page: Page):
    page.goto(f"{live_server.url}/carte/")
    page.locator("#lang-select").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page.locator("h1")).to_have_text("Map of territories")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_keyboard_only_from_the_main_navigation_to_a_departement(territories, live_server, page: Page):
    page.goto(f"{live_server.url}/")
    assert_accessible(page)  # only keys follow: no action or assertion for the automatic check to precede
    stops = []
    for _ in range(4):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert stops == ["Aller au contenu", "Réciproque", "Accueil", "Carte"]
    # The focused link shows where the keyboard is.
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Carte des territoires")
    expect(page.locator("#departement-select")).to_be_enabled(timeout=60_000)

    for _ in range(30):  # the map and its controls come first, then the list
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "departement-select":
            break
    expect(page.locator("#departement-select")).to_be_focused()
    page.keyboard.type("38")
    expect(page.locator("#selection")).to_contain_text("Isère")
    expect(page.locator("#selection")).to_contain_text("Auvergne-Rhône-Alpes")
    assert page.locator("#departement-select").input_value() == "38"
