"""The map search page and a home's page: same FilterSet as the API, the public point only, bad filters shown
beside the form (422), invisible homes 404."""

import re

from django.test import Client

from exchanges import services
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.factories.exchanges import QUIMPER, in_days, make_home
from tests.helpers import assert_nothing_written


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_search_page_lists_what_the_filters_select(people, homes, django_assert_max_num_queries):
    client = client_for(people.ineligible)
    with django_assert_max_num_queries(12):
        page = client.get("/logements/?region=53")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-id="{homes["quimper"].pk}"' in html
    assert f'data-id="{homes["grenoble"].pk}"' not in html
    assert "region=53" in html  # the map's tiles get the same filters
    # Unchecked boxes and empty dates are no filter; amenities checked one by one are all required.
    page = client.get("/logements/?start=&end=&amenities=wifi&amenities=garden")
    assert f'data-id="{homes["grenoble"].pk}"' in page.content.decode()
    assert f'data-id="{homes["quimper"].pk}"' not in page.content.decode()


def test_bad_filters_are_shown_beside_the_form(people, homes):
    page = client_for(people.owner).get("/logements/?bbox=6,45,5,46&colour=blue")
    assert page.status_code == 422
    html = page.content.decode()
    assert "bbox" in html
    assert "colour" in html
    assert 'role="alert"' in html


def test_home_page_shows_the_public_point_only(people, homes):
    html = client_for(people.other).get(f"/logements/{homes['grenoble'].pk}/").content.decode()
    assert "Jardin" in html
    assert SENTINEL_ADDRESS not in html
    assert f"{SENTINEL[0]:.5f}" not in html
    assert f"{SENTINEL[1]:.5f}" not in html


def test_drafts_of_others_are_404_and_pages_need_an_account(people, homes, client):
    draft = make_home(people.owner)
    assert client_for(people.other).get(f"/logements/{draft.pk}/").status_code == 404
    assert client_for(people.owner).get(f"/logements/{draft.pk}/").status_code == 200
    assert client.get("/logements/").status_code == 302


def test_my_homes_page_refuses_bad_input_beside_the_fields(people):
    from exchanges.models import Home

    client = client_for(people.owner)
    page = client.get("/mon-logement/")
    assert page.status_code == 200
    response = client.post(
        "/mon-logement/",
        {
            "title": "Au large",
            "kind": "flat",
            "sleeps": 2,
            "bedrooms": 1,
            "address": "Océan",
            "lon": -6.5,
            "lat": 46.5,
        },
    )
    assert response.status_code == 422
    assert "aucune commune française" in response.content.decode()
    response = client.post(
        "/mon-logement/",
        {
            "title": "Ti\u202eré",
            "kind": "flat",
            "sleeps": 2,
            "bedrooms": 1,
            "address": "1 rue",
            "lon": 5.72,
            "lat": 45.19,
        },
    )
    assert response.status_code == 422
    assert not Home.objects.filter(owner=people.owner).exists()


def test_owner_actions_on_someone_elses_home_are_404(people):
    home = make_home(people.owner)
    client = client_for(people.other)
    for url in (
        f"/mon-logement/{home.pk}/etat/",
        f"/mon-logement/{home.pk}/disponibilites/",
        f"/mon-logement/{home.pk}/souhaits/",
    ):
        assert client.post(url, {"action": "publish"}).status_code == 404
    home.refresh_from_db()
    assert home.status == "draft"


def test_an_unknown_button_value_writes_nothing(people):
    from exchanges.models import Home

    home = make_home(people.owner)
    client = client_for(people.owner)
    response = client.post(f"/mon-logement/{home.pk}/etat/", {"action": "explode"}, follow=True)
    assert "Choix inconnu" in response.content.decode()
    assert Home.objects.get(pk=home.pk).status == "draft"  # not silently paused, published or archived


# ---- The live search (htmx): the results alone, for the same URL ------------------------------------------

HX = {"HX-Request": "true"}


def test_htmx_gets_the_results_alone_and_what_follows_them(people, homes):
    client = client_for(people.ineligible)
    response = client.get("/logements/?start=&end=&guests=&region=53&kind=&bbox=", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]  # a cache never serves the results for the page, or back
    html = response.content.decode()
    assert f'data-id="{homes["quimper"].pk}"' in html
    assert f'data-id="{homes["grenoble"].pk}"' not in html
    assert 'id="search-form"' not in html  # the form stays as the person set it
    assert "<h1>" not in html
    # The address to show (the empty fields dropped), and the query of the tiles and of a saved search.
    assert 'data-url="/logements/?region=53"' in html
    assert 'data-query="region=53"' in html
    assert '<input type="hidden" name="query" id="saved-query" value="region=53" hx-swap-oob="true">' in html
    assert '<p id="results-count" hx-swap-oob="innerHTML">1 logement</p>' in html
    whole = client.get("/logements/?region=53")
    assert "HX-Request" in whole["Vary"]
    assert 'id="search-form"' in whole.content.decode()
    assert 'data-query="region=53"' in whole.content.decode()


def test_htmx_restoring_a_page_from_its_history_gets_the_whole_page(people, homes):
    client = client_for(people.ineligible)
    response = client.get("/logements/?region=53", headers={**HX, "HX-History-Restore-Request": "true"})
    assert 'id="search-form"' in response.content.decode()


def test_a_refused_search_is_a_422_in_the_results_naming_the_field(people, homes):
    client = client_for(people.ineligible)
    url = f"/logements/?start={in_days(10)}&end={in_days(5)}&guests=4"
    with assert_nothing_written():
        response = client.get(url, headers=HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        '<p class="message message-error" role="alert">Départ : Le départ doit être après l&#x27;arrivée.</p>'
        in html
    )
    assert "data-error" in html
    assert "home-card" not in html
    assert '<p id="results-count" hx-swap-oob="innerHTML"></p>' in html  # no count for a refused search
    # Without JavaScript, the whole page with the message, and the form keeps what was typed.
    page = client.get(url)
    assert page.status_code == 422
    text = page.content.decode()
    assert 'role="alert">Départ : Le départ doit être après' in text
    for typed in (in_days(10), in_days(5), 4):
        assert f'value="{typed}"' in text


def test_the_next_page_comes_after_the_first_with_htmx_and_instead_of_it_without(people, homes):
    client = client_for(people.ineligible)
    first = client.get("/logements/?limit=1", headers=HX).content.decode()
    assert f'data-id="{homes["quimper"].pk}"' in first  # the newest first
    assert '<p id="results-count" hx-swap-oob="innerHTML">Plus de 1 logement</p>' in first
    link = re.search(r'hx-get="([^"]+)" hx-target="#home-cards" hx-swap="beforeend"', first)
    assert link is not None
    assert 'hx-select="#home-cards > li" hx-select-oob="#results-next"' in first
    second = client.get(link.group(1).replace("&amp;", "&"), headers=HX)
    assert second.status_code == 200
    html = second.content.decode()
    assert f'data-id="{homes["grenoble"].pk}"' in html
    assert f'data-id="{homes["quimper"].pk}"' not in html
    assert '<p id="results-next"></p>' in html  # the last page: no link further
    assert '<p id="results-count" hx-swap-oob="innerHTML">1 logement de plus</p>' in html
    assert 'data-url="/logements/?limit=1"' in html  # the same search, whichever page
    plain = re.search(r'<a href="\?([^"]+)" hx-get=', first)
    assert plain is not None
    page = client.get("/logements/?" + plain.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert f'data-id="{homes["grenoble"].pk}"' in page.content.decode()


def test_list_filters_are_read_repeated_or_joined(people, homes):
    """The form repeats amenities=…; the API, the tiles and a saved search's link join them with commas."""
    client = client_for(people.ineligible)
    for query in ("amenities=wifi&amenities=garden", "amenities=wifi,garden"):
        html = client.get(f"/logements/?{query}").content.decode()
        assert f'data-id="{homes["grenoble"].pk}"' in html
        assert f'data-id="{homes["quimper"].pk}"' not in html
        assert 'data-url="/logements/?amenities=wifi&amp;amenities=garden"' in html
        assert 'data-query="amenities=wifi%2Cgarden"' in html
        assert re.search(r'<input[^>]+value="wifi"[^>]+checked', html)  # the boxes stay ticked
        assert re.search(r'<input[^>]+value="garden"[^>]+checked', html)


def test_accessibility_is_a_filter_of_the_page(people, homes):
    step_free = make_home(people.other, lon=QUIMPER[0] + 0.01, lat=QUIMPER[1], accessibility=["step_free"])
    services.home_publish(actor=people.other, home=step_free)
    html = (
        client_for(people.ineligible).get("/logements/?accessibility=step_free", headers=HX).content.decode()
    )
    assert re.findall(r'data-id="(\d+)"', html) == [str(step_free.pk)]
    page = client_for(people.ineligible).get("/logements/").content.decode()
    assert 'name="accessibility" value="step_free"' in page


def test_the_map_box_can_be_left_for_all_of_france(people, homes):
    client = client_for(people.ineligible)
    html = client.get("/logements/?region=84&bbox=5,45,6,46", headers=HX).content.decode()
    assert f'data-id="{homes["grenoble"].pk}"' in html
    assert (
        '<span id="bbox-reset" hx-swap-oob="true"><a href="?region=84" data-clear-bbox>Toute la France</a></span>'
        in html
    )
    assert 'data-query="region=84&amp;bbox=5%2C45%2C6%2C46"' in html  # saved with its box; the tiles drop it
    assert "data-clear-bbox" not in client.get("/logements/?region=84", headers=HX).content.decode()


def test_the_results_speak_the_language_of_the_page(people, homes):
    client = client_for(people.ineligible)
    client.cookies["django_language"] = "en"
    html = client.get("/logements/?region=53", headers=HX).content.decode()
    assert '<p id="results-count" hx-swap-oob="innerHTML">1 home</p>' in html
    refused = client.get(f"/logements/?start={in_days(10)}&end={in_days(5)}", headers=HX).content.decode()
    assert 'role="alert">Departure: Departure must be after arrival.</p>' in refused
    page = client.get("/logements/").content.decode()
    assert "Search as I move the map" in page
    assert "More than" not in page  # two homes, one page
    assert '<p id="results-count" class="results-count" role="status">2 homes</p>' in page
