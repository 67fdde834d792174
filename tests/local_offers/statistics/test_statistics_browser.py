"""The statistics pages in Debian's Chromium, axe-checked, with no request to another host: the officer of
Isère opens "Statistiques des offres" from the menu and sees the charts, the tables and Isère coloured on the
map; the correspondent of Grenoble opens "Solidarité horizontale", reads the balance (the 4 agents who went to
Chambéry stay "< 5") and downloads the CSV."""

from playwright.sync_api import Page, expect

from tests.browser import JOURNEY, assert_accessible
from tests.exchanges.test_search_browser import requests_outside
from tests.local_offers.statistics.conftest import mid_last_month
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

SLOW = 20_000


def test_officer_and_correspondent_statistics(stats, live_server, page: Page, new_page):
    cast, when, base = stats.cast, mid_last_month(), live_server.url
    for agent in stats.agents(6):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, when, party=2)
    for agent in stats.agents(4):
        stats.use(agent, cast.grenoble, stats.chambery_agreement, when)
    outside = requests_outside(page, base)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    log_in(page, base, cast.officer.email)
    page.get_by_role("link", name="Statistiques des offres").click()
    expect(page.get_by_role("heading", name="Statistiques du territoire")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("img", name="Conventions par état")).to_be_visible()
    expect(page.locator("#usage-by-departement tbody")).to_contain_text("Isère (38)")
    expect(page.locator("#usage-by-departement tbody td").first).to_have_text("6")
    map_box = page.locator("#usage-map")
    map_box.scroll_into_view_if_needed()
    expect(map_box).to_have_attribute("data-choropleth", "ready", timeout=SLOW)
    colours = page.evaluate(
        "() => JSON.stringify(window.reciproqueStatisticsMap.getPaintProperty('usage-fill', 'fill-color'))"
    )
    assert '"38"' in colours
    assert '"73"' not in colours
    expect(page.locator("#usage-legend li")).not_to_have_count(0)
    assert_accessible(page)

    correspondent = new_page()
    outside_correspondent = requests_outside(correspondent, base)
    log_in(correspondent, base, cast.correspondent.email)
    correspondent.get_by_role("link", name="Solidarité horizontale").click()
    expect(correspondent.get_by_role("img", name="Utilisations données et reçues, par mois")).to_be_visible(
        timeout=SLOW
    )
    row = correspondent.locator("#solidarity-by-month tbody tr").first
    expect(row.locator("td").nth(0)).to_have_text("6")
    expect(row.locator("td").nth(3)).to_have_text("< 5")
    expect(row.locator("td").nth(6)).to_have_text("< 5")  # the balance would give the 4 agents away
    with correspondent.expect_download() as download:
        correspondent.locator("#by-month-title ~ p a").click()
    assert download.value.suggested_filename == "solidarite-par-mois.csv"
    assert_accessible(correspondent)
    assert outside == outside_correspondent == []
    assert errors == []
