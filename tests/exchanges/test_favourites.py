"""Favourites in named lists and saved searches with e-mail alerts: each new matching home announced once,
an unsubscribe link that works without signing in (after a confirmation), someone else's list is 404."""

import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.utils import timezone

from exchanges import favourites, services
from exchanges.models import Favourite, FavouriteList, SavedSearch, SavedSearchAlert
from tests.factories.exchanges import QUIMPER, in_days, make_home
from tests.organisations.test_api import client_for, post


def test_favourite_lists_through_the_api(people, homes):
    client = client_for(people.owner)
    created = post(client, "/api/v1/favourites", {"name": "Été en Bretagne"})
    assert created.status_code == 201
    list_id = created.json()["id"]
    added = post(client, f"/api/v1/favourites/{list_id}/homes", {"home_id": homes["quimper"].pk})
    assert [h["id"] for h in added.json()["homes"]] == [homes["quimper"].pk]
    again = post(client, f"/api/v1/favourites/{list_id}/homes", {"home_id": homes["quimper"].pk})
    assert again.status_code == 201
    assert Favourite.objects.count() == 1  # twice is once
    duplicate = post(client, "/api/v1/favourites", {"name": "Été en Bretagne"})
    assert duplicate.status_code == 409


def test_nobody_uses_someone_elses_list_or_an_invisible_home(people, homes):
    mine = favourites.favourite_list_create(actor=people.owner, name="Privée")
    draft = make_home(people.other, title="Brouillon de l'autre")
    other = client_for(people.other)
    assert (
        post(other, f"/api/v1/favourites/{mine.pk}/homes", {"home_id": homes["quimper"].pk}).status_code
        == 404
    )
    owner = client_for(people.owner)
    assert post(owner, f"/api/v1/favourites/{mine.pk}/homes", {"home_id": draft.pk}).status_code == 404
    assert not Favourite.objects.exists()


def test_favourite_button_on_the_home_page(people, homes):
    client = Client()
    client.force_login(people.owner)
    url = f"/logements/{homes['quimper'].pk}/"
    assert "Ajouter à vos favoris" in client.get(url).content.decode()
    client.post(f"{url}favori/")
    assert "Dans vos favoris" in client.get(url).content.decode()
    assert FavouriteList.objects.get(owner=people.owner).name == favourites.DEFAULT_LIST
    client.post(f"{url}favori/")
    assert not Favourite.objects.exists()


def test_saved_search_refuses_what_the_search_refuses(people):
    client = client_for(people.owner)
    response = post(client, "/api/v1/saved-searches", {"name": "Mauvaise", "query": "colour=blue"})
    assert response.status_code == 422
    assert "colour" in [e["field"] for e in response.json()["detail"]["errors"]]
    assert not SavedSearch.objects.exists()


def test_alerts_announce_each_new_home_once_and_unsubscribe(
    people, homes, django_capture_on_commit_callbacks
):
    saved = favourites.saved_search_create(actor=people.owner, name="Bretagne", query="region=53&guests=2")
    # Nothing new yet: the homes published before the search was saved are not announced.
    with django_capture_on_commit_callbacks(execute=True):
        assert favourites.saved_search_alerts_send() == 0
    new = make_home(people.other, lon=QUIMPER[0] + 0.01, lat=QUIMPER[1], title="Nouveau à Quimper")
    services.availability_add(actor=people.other, home=new, start=in_days(5), end=in_days(12))
    services.home_publish(actor=people.other, home=new)
    with django_capture_on_commit_callbacks(execute=True):
        assert favourites.saved_search_alerts_send(now=timezone.now() + dt.timedelta(seconds=2)) == 1
        assert favourites.saved_search_alerts_send(now=timezone.now() + dt.timedelta(seconds=3)) == 0
    assert SavedSearchAlert.objects.filter(saved_search=saved).count() == 1
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert "Nouveau à Quimper" in body
    link = re.search(r"/alertes/desabonnement/[^/\s]+/", body)
    assert link is not None
    anonymous = Client()
    assert anonymous.get(link.group(0)).status_code == 200  # a confirmation: a mail scanner changes nothing
    assert SavedSearch.objects.get(pk=saved.pk).alerts
    assert anonymous.post(link.group(0)).status_code == 200
    assert not SavedSearch.objects.get(pk=saved.pk).alerts
    assert anonymous.post("/alertes/desabonnement/forged/").status_code == 404


def test_someone_elses_saved_search_is_404(people):
    saved = favourites.saved_search_create(actor=people.owner, name="Mienne", query="region=53")
    other = client_for(people.other)
    response = other.delete(
        f"/api/v1/saved-searches/{saved.pk}", HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value
    )
    assert response.status_code == 404
    assert other.get("/api/v1/saved-searches").json() == []
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
