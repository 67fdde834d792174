"""The map search page and a home's page: same FilterSet as the API, the public point only, bad filters shown
beside the form (422), invisible homes 404."""

from django.test import Client

from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.factories.exchanges import make_home


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
