"""/api/v1/statistics walked by every actor: a correspondent reads their employer's balance only, an officer
their territory only (another département is a 404), anyone else a 403, anonymous a 401; hidden figures are
"< 5" in the JSON too; a wrong parameter is a 422 naming it, and reading writes nothing."""

import pytest

from tests.factories.accounts import UserFactory
from tests.helpers import assert_nothing_written
from tests.local_offers.statistics.conftest import mid_last_month
from tests.organisations.test_api import client_for

pytestmark = pytest.mark.django_db

SOLIDARITY = "/api/v1/statistics/solidarity"
AGREEMENTS = "/api/v1/statistics/agreements"


@pytest.fixture
def used(stats):
    cast, when = stats.cast, mid_last_month()
    for agent in stats.agents(5):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, when, party=2)
    for agent in stats.agents(3):
        stats.use(agent, cast.grenoble, stats.chambery_agreement, when)
    return stats


def test_the_correspondent_reads_their_employer_only(used, django_assert_max_num_queries):
    cast = used.cast
    client = client_for(cast.correspondent)
    with django_assert_max_num_queries(12):
        response = client.get(SOLIDARITY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["organisation"] == {"id": cast.grenoble.pk, "name": "Ville de Grenoble"}
    assert body["threshold"] == 5
    [month] = body["by_month"]
    assert month["given"] == {"uses": 5, "persons": 10, "agents": 5}
    assert month["received"] == {"uses": "< 5", "persons": "< 5", "agents": "< 5"}
    assert month["balance"] == "< 5"
    assert body["total"]["received"]["uses"] == "< 5"
    assert {(r["side"], r["uses"]) for r in body["by_agreement"]} == {("given", 5), ("received", "< 5")}
    # Another employer's balance: a 404, as if it did not exist.
    assert client.get(SOLIDARITY, {"organisation": cast.chambery.pk}).status_code == 404
    assert client.get(SOLIDARITY, {"organisation": 999999}).status_code == 404


def test_actors_without_the_role_are_refused(used):
    cast = used.cast
    assert client_for(cast.agent).get(SOLIDARITY).status_code == 403
    assert client_for(cast.agent).get(AGREEMENTS).status_code == 403
    assert client_for(cast.desk).get(SOLIDARITY).status_code == 403
    assert client_for(cast.correspondent).get(AGREEMENTS).status_code == 403
    assert client_for(cast.officer).get(SOLIDARITY).status_code == 403
    anonymous = client_for(UserFactory())
    anonymous.logout()
    assert anonymous.get(SOLIDARITY).status_code == 401
    assert anonymous.get(AGREEMENTS).status_code == 401


def test_the_officer_reads_their_territory_only(used, django_assert_max_num_queries):
    cast = used.cast
    client = client_for(cast.officer)
    with django_assert_max_num_queries(14):
        response = client.get(AGREEMENTS, {"months": "6"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["departements"] == [{"code": "38", "name": "Isère"}]
    assert body["usage_by_departement"]["rows"] == [
        {"departement": "38", "name": "Isère", "uses": 5, "persons": 10, "agents": 5}
    ]
    assert body["agreements_by_status"][-1]["counts"]["active"] == 1
    assert body["review_times"]["overall"]["decisions"] == 1
    assert client.get(AGREEMENTS, {"departement": "38"}).status_code == 200

    # The officer of Savoie sees nothing of Isère: not its départements, not its figures; asking is a 404.
    savoie = client_for(used.savoie_officer)
    own = savoie.get(AGREEMENTS).json()
    assert [d["code"] for d in own["departements"]] == ["73"]
    assert [r["departement"] for r in own["usage_by_departement"]["rows"]] == ["73"]
    assert own["usage_by_departement"]["rows"][0]["uses"] == "< 5"
    assert [r["departement"] for r in own["agreements_by_status"]] == ["73", None]
    assert savoie.get(AGREEMENTS, {"departement": "38"}).status_code == 404

    # An administrator sees every département, or the one asked.
    admin = client_for(cast.admin).get(AGREEMENTS, {"departement": "38"}).json()
    assert admin["departements"] == [{"code": "38", "name": "Isère"}]
    assert client_for(cast.admin).get(AGREEMENTS, {"departement": "ZZ"}).status_code == 404
    assert (
        client_for(cast.admin)
        .get(SOLIDARITY, {"organisation": cast.chambery.pk})
        .json()["organisation"]["name"]
        == "Ville de Chambéry"
    )


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (AGREEMENTS, {"months": "0"}, "months"),
        (AGREEMENTS, {"months": "37"}, "months"),
        (AGREEMENTS, {"months": "douze"}, "months"),
        (SOLIDARITY, {"months": "-1"}, "months"),
        (SOLIDARITY, {"organisation": "abc"}, "organisation"),
    ],
)
def test_bad_parameters_are_a_422_naming_them(used, url, params, field):
    client = client_for(used.cast.correspondent if url == SOLIDARITY else used.cast.officer)
    with assert_nothing_written():
        response = client.get(url, params)
    assert response.status_code == 422, response.content
    assert field in response.content.decode()
