"""The owner's editor in Debian's Chromium: a wish drawn on the map, a wish by communes and a circle around a
commune without the map, a period picked on the calendar; then the home's page shows them. No request leaves
for another host."""

from urllib.parse import urlparse

import pytest
from django.db import connection
from playwright.sync_api import Locator, Page, expect

from exchanges import services
from exchanges.models import AvailabilityPeriod, DestinationWish
from geo.models import Commune
from tests.browser import JOURNEY, assert_accessible
from tests.factories.exchanges import in_days, make_home
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

# Four corners of an area around Vannes and Ploërmel (Morbihan), clicked clockwise, then one too many.
CORNERS = [(-3.0, 47.55), (-2.2, 47.55), (-2.2, 48.0), (-3.0, 48.0)]
EXTRA = (-2.6, 48.3)
INSIDE = (-2.76, 47.66)  # Vannes


@pytest.fixture
def home(people):
    home = make_home(people.owner, title="Appartement près du Jardin de ville")
    services.home_publish(actor=people.owner, home=home)
    return home


@pytest.fixture
def outside(page: Page, live_server) -> list[str]:
    """The requests of the page that go to another host than the live server."""
    requests: list[str] = []
    own = urlparse(live_server.url).netloc
    page.on(
        "request",
        lambda r: (
            requests.append(r.url) if r.url.startswith("http") and urlparse(r.url).netloc != own else None
        ),
    )
    return requests


def click_on_map(page: Page, form: Locator, lon: float, lat: float) -> None:
    x, y = form.evaluate("(f, p) => { const q = f.reciproqueMap.project(p); return [q.x, q.y]; }", [lon, lat])
    box = form.locator(".map-draw canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def contains(wish: DestinationWish, lon: float, lat: float) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Contains(%s::geometry, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
            [wish.target.hexewkb.decode(), lon, lat],
        )
        return bool(cursor.fetchone()[0])


def test_owner_draws_an_area_that_shows_in_the_list_and_on_the_home_page(
    people, home, live_server, page: Page, new_page, outside
):
    log_in(page, live_server.url, people.owner.email)
    assert_accessible(page)
    page.goto(f"{live_server.url}/mon-logement/")
    form = page.locator("form.wish-form")
    form.locator(".map-draw").scroll_into_view_if_needed()  # the map starts when it comes into view
    expect(form.locator(".map-draw")).to_have_attribute("data-state", "ready", timeout=20_000)
    form.evaluate("f => f.reciproqueMap.jumpTo({center: [-2.6, 47.85], zoom: 7})")
    status = form.locator(".draw-status")
    for lon, lat in [*CORNERS, EXTRA]:
        click_on_map(page, form, lon, lat)
    expect(status).to_contain_text("Zone : 5 points.")
    form.get_by_role("button", name="Annuler le dernier point").click()
    expect(status).to_contain_text("Zone : 4 points.")
    form.get_by_role("button", name="Terminer", exact=True).click()
    expect(status).to_contain_text("Zone terminée (4 points)")
    click_on_map(page, form, *EXTRA)  # a finished area takes no more points
    expect(status).to_contain_text("Annuler le dernier point » la rouvre")
    assert '"Polygon"' in form.locator("input[name=area]").input_value()
    form.locator("input[name=start]").fill(str(in_days(30)))
    form.locator("input[name=end]").fill(str(in_days(44)))
    form.get_by_role("button", name="Ajouter le souhait").click()
    expect(page.locator(".messages")).to_contain_text("Souhait ajouté.", timeout=15_000)
    assert_accessible(page)

    wish = DestinationWish.objects.get(home=home)
    assert wish.area is not None
    assert len(wish.area[0][0]) == 5  # four corners, closed
    assert contains(wish, *INSIDE)
    assert not contains(wish, *EXTRA)
    expect(page.locator("ol.wishes")).to_contain_text("une zone dessinée")
    wishes_map = page.locator("[data-wishes-map]")
    wishes_map.scroll_into_view_if_needed()
    expect(wishes_map).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(wishes_map.get_by_role("img", name="Souhait 1")).to_be_visible()

    other = new_page()
    log_in(other, live_server.url, people.other.email)
    assert_accessible(other)
    other.goto(f"{live_server.url}/logements/{home.pk}/")
    expect(other.locator("ol.wishes")).to_contain_text("une zone dessinée")
    shown = other.locator("[data-wishes-map]")
    shown.scroll_into_view_if_needed()
    expect(shown).to_have_attribute("data-state", "ready", timeout=20_000)
    # The GeoJSON source is cut into tiles in MapLibre's worker: its features come a moment after "ready".
    other.wait_for_function(
        "() => document.querySelector('[data-wishes-map]').reciproqueMap.querySourceFeatures('wishes').length > 0",
        timeout=20_000,
    )
    assert outside == []


def test_a_wish_by_communes_and_a_circle_around_a_commune_without_the_map(
    people, home, live_server, page: Page, outside
):
    log_in(page, live_server.url, people.owner.email)
    assert_accessible(page)
    page.goto(f"{live_server.url}/mon-logement/")
    form = page.locator("form.wish-form")
    search = form.get_by_label("Ajouter une commune")
    search.fill("Quimper")
    page.wait_for_function(
        "() => document.querySelectorAll('form.wish-form .commune-picker datalist option').length > 0"
    )
    search.fill("Quimper (29)")  # as when the suggestion is picked
    expect(form.get_by_role("checkbox", name="Quimper (29)")).to_be_checked()
    expect(search).to_have_value("")
    centre = form.get_by_label("Centre du cercle : une commune")
    centre.fill("Brest")
    page.wait_for_function(
        "() => document.querySelectorAll('form.wish-form .wish-circle datalist option').length > 0"
    )
    centre.fill("Brest (29)")
    expect(form.locator("input[name=center]")).not_to_have_value("")
    form.get_by_label("Rayon du cercle (km)").fill("15")
    form.locator("input[name=start]").fill(str(in_days(30)))
    form.locator("input[name=end]").fill(str(in_days(44)))
    form.locator("input[name=end]").press("Enter")
    expect(page.locator(".messages")).to_contain_text("Souhait ajouté.", timeout=15_000)
    wish = DestinationWish.objects.get(home=home)
    assert wish.communes == ["29232"]
    assert wish.radius_m == 15_000
    brest = Commune.objects.get(code="29019")
    assert wish.center is not None
    assert wish.center.distance(brest.point) < 1e-5
    expect(page.locator("ol.wishes")).to_contain_text("un cercle de 15 km")
    assert outside == []


def test_owner_picks_a_period_on_the_calendar_and_the_home_page_shows_it(
    people, home, live_server, page: Page, outside
):
    start, end = in_days(40), in_days(47)  # at least a month away: still shown one month further on
    log_in(page, live_server.url, people.owner.email)
    assert_accessible(page)
    page.goto(f"{live_server.url}/mon-logement/")
    calendar = page.locator(f"#calendar-{home.pk}")
    first_caption = calendar.locator("caption").first.inner_text()
    calendar.get_by_role("link", name="Mois suivant →").click()  # htmx: the months alone are swapped
    expect(calendar.locator("caption").first).not_to_have_text(first_caption)
    day = calendar.locator(f".cal-pick[data-date='{start}']")
    day.click()
    period_form = page.locator("form.period-form")
    expect(period_form.locator("input[name=start]")).to_have_value(str(start))
    expect(page.locator(f"#calendar-status-{home.pk}")).to_contain_text(
        "choisissez maintenant le jour du départ"
    )
    # The keyboard: a week down from the arrival, then Enter. (document.activeElement rather than
    # to_be_focused, which also asks that the window have the focus: not always so on a busy machine.)
    day.focus()
    focused = "() => document.activeElement.dataset.date"
    assert page.evaluate(focused) == str(start)
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"() => document.activeElement.dataset.date === '{end}'")
    assert calendar.locator(f".cal-pick[data-date='{end}']").get_attribute("tabindex") == "0"
    page.keyboard.press("Enter")
    expect(period_form.locator("input[name=end]")).to_have_value(str(end))
    expect(calendar.locator(".cal-between")).to_have_count(6)
    assert_accessible(page)
    period_form.get_by_label("Pour").select_option("open")
    period_form.get_by_role("button", name="Ajouter la disponibilité").click()
    expect(page.locator(".messages")).to_contain_text("Disponibilité ajoutée.", timeout=15_000)
    period = AvailabilityPeriod.objects.get(home=home)
    assert (period.period.lower, period.period.upper, period.mode) == (start, end, "open")

    page.goto(f"{live_server.url}/logements/{home.pk}/")
    shown = page.locator("#availability ~ .calendar td.cal-available")
    expect(shown).to_have_count(7)
    assert shown.first.get_attribute("data-date") == str(start)
    departure = page.locator(f".calendar td[data-date='{end}']")
    expect(departure).to_have_class("cal-day")  # the departure day is not a night: not available
    expect(shown.first).to_contain_text("disponible")
    assert outside == []
