"""An agent finds facilities near a place on the offers map, in Debian's Chromium, with no request to another
host: the nearest first in the list, the same facilities on the map (vector tiles), a card when one is
clicked, then its page. Every page is checked by axe-core."""

from playwright.sync_api import Page, expect

from tests.browser import JOURNEY
from tests.factories.local_offers import CHAMBERY, QUIMPER, VOIRON, make_facility
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

FEATURES = (
    "() => window.reciproqueOffersMap.querySourceFeatures('facilities', {sourceLayer: 'facilities'}).length"
    " + window.reciproqueOffersMap.querySourceFeatures('facilities', {sourceLayer: 'clusters'}).length"
)


def test_agent_finds_facilities_near_a_place_on_the_map(cast, live_server, page: Page):
    c = cast.correspondent
    make_facility(
        c,
        cast.grenoble,
        name="Piscine de Voiron",
        category="pool",
        lon=VOIRON[0],
        lat=VOIRON[1],
        publish=True,
    )
    make_facility(c, cast.grenoble, name="Musée de Grenoble", publish=True)
    make_facility(
        cast.other_correspondent,
        cast.chambery,
        name="Château des ducs",
        lon=CHAMBERY[0],
        lat=CHAMBERY[1],
        publish=True,
    )
    make_facility(
        c, cast.grenoble, name="Médiathèque de Quimper", lon=QUIMPER[0], lat=QUIMPER[1], publish=True
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None
        ),
    )

    log_in(page, live_server.url, cast.agent.email)
    page.get_by_role("link", name="Offres locales").click()
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.get_by_label("Près de (commune)").fill("Voiron (38)")
    page.get_by_label("Dans un rayon de").select_option("50")
    page.get_by_role("button", name="Chercher", exact=True).click()

    cards = page.locator("#facility-list .home-card")
    expect(cards).to_have_count(3, timeout=20_000)  # not Quimper
    expect(cards.first).to_contain_text("Piscine de Voiron")
    expect(cards.nth(1)).to_contain_text("Musée de Grenoble")
    expect(cards.nth(2)).to_contain_text("Château des ducs")

    # The map shows the same search from the vector tiles, centred on Voiron; a click on the pool opens its card.
    expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
    page.wait_for_function(FEATURES + " > 0", timeout=20_000)
    page.evaluate(f"window.reciproqueOffersMap.jumpTo({{center: [{VOIRON[0]}, {VOIRON[1]}], zoom: 14}})")
    page.wait_for_function(
        "() => window.reciproqueOffersMap.querySourceFeatures('facilities', {sourceLayer: 'facilities'})"
        ".some(f => f.properties.name === 'Piscine de Voiron')",
        timeout=20_000,
    )
    # The header grew: the map may start below the fold, where a click at its coordinates lands nowhere.
    page.locator("#map").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => !window.reciproqueOffersMap.isMoving() && window.reciproqueOffersMap.loaded()"
    )
    point = page.evaluate(
        f"(() => {{ const p = window.reciproqueOffersMap.project([{VOIRON[0]}, {VOIRON[1]}]); return [p.x, p.y]; }})()"
    )
    box = page.locator("#map canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    card = page.locator("#facility-card")
    expect(card).to_be_visible(timeout=20_000)
    expect(card).to_contain_text("Piscine de Voiron")
    expect(card).to_contain_text("Voiron (38)")

    card.get_by_role("link", name="Piscine de Voiron").click()
    expect(page.locator("h1")).to_have_text("Piscine de Voiron", timeout=20_000)
    expect(page.locator("#facility-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.get_by_role("table")).to_contain_text("09:00–18:00")
    assert outside == []
