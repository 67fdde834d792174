"""The statistics pages and their CSV files: French headers, `Content-Disposition`, "< 5" for hidden figures,
formula-looking cells quoted, charts drawn by the server with a table beside them, and the same scope as the
API (403 without the role, 404 outside it)."""

import csv
import io

import pytest

from marketplace.organisations.models import Organisation
from tests.local_offers.statistics.conftest import mid_last_month
from tests.organisations.test_api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(stats):
    cast, when = stats.cast, mid_last_month()
    for agent in stats.agents(6):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, when, party=2)
    for agent in stats.agents(4):
        stats.use(agent, cast.grenoble, stats.chambery_agreement, when)
    return stats


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_solidarity_page_draws_the_chart_and_the_tables(used):
    response = client_for(used.cast.correspondent).get("/offres/statistiques/solidarite/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html
    assert 'id="solidarity-chart-title"' in html
    assert 'id="solidarity-by-month"' in html
    assert 'id="solidarity-by-agreement"' in html
    assert "&lt; 5" in html  # the 4 agents who went to Chambéry
    assert 'data-value="6"' in html  # the bar of the uses given
    assert "/offres/statistiques/solidarite/mois.csv?" in html


def test_the_territory_page_has_the_map_and_the_charts(used):
    response = client_for(used.cast.officer).get("/offres/statistiques/territoire/")
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in (
        'id="usage-map"',
        'id="usage-data"',
        'id="status-chart"',
        'id="agreements-by-status"',
        'id="review-times"',
        'id="usage-by-departement"',
        "statistics_map.js",
    ):
        assert anchor in html
    assert "Chambéry" not in html
    assert '"73"' not in html


def test_solidarity_csv(used):
    cast = used.cast
    Organisation.objects.filter(pk=cast.chambery.pk).update(name='=HYPERLINK("http://x.example")')
    client = client_for(cast.correspondent)
    response = client.get("/offres/statistiques/solidarite/conventions.csv", {"months": "6"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="solidarite-par-convention.csv"'
    header, *rows = rows_of(response)
    assert header == ["convention", "fournisseur", "sens", "utilisations", "personnes", "agents distincts"]
    assert sorted(rows) == sorted(
        [
            [str(used.grenoble_agreement.pk), "Ville de Grenoble", "donné", "6", "12", "6"],
            [
                str(used.chambery_agreement.pk),
                '\'=HYPERLINK("http://x.example")',
                "reçu",
                "< 5",
                "< 5",
                "< 5",
            ],
        ]
    )

    months = client.get("/offres/statistiques/solidarite/mois.csv")
    header, *rows = rows_of(months)
    assert header[0] == "mois"
    assert header[-1] == "solde (utilisations données moins reçues)"
    assert rows[-1][0] == "total"
    assert rows[0][1:] == ["6", "12", "6", "< 5", "< 5", "< 5", "< 5"]


def test_territory_csv_files(used):
    client = client_for(used.cast.officer)
    departements = client.get("/offres/statistiques/territoire/departements.csv")
    assert departements["Content-Disposition"] == 'attachment; filename="utilisations-par-departement.csv"'
    assert rows_of(departements) == [
        ["département", "nom", "utilisations", "personnes", "agents distincts"],
        ["38", "Isère", "6", "12", "6"],
        ["total", "", "6", "12", "6"],
    ]
    states = rows_of(client.get("/offres/statistiques/territoire/etats.csv"))
    assert states[0][:4] == ["département", "nom", "Brouillon", "Soumise"]
    assert states[1][:2] == ["38", "Isère"]
    assert states[-1][0] == "tout le territoire"
    reviews = rows_of(client.get("/offres/statistiques/territoire/instruction.csv"))
    assert reviews[0] == ["mois de la décision", "décisions", "médiane (jours)", "90e centile (jours)"]
    assert client.get("/offres/statistiques/territoire/inconnu.csv").status_code == 404


def test_pages_keep_the_scope(used):
    cast = used.cast
    assert client_for(cast.agent).get("/offres/statistiques/territoire/").status_code == 403
    assert client_for(cast.agent).get("/offres/statistiques/solidarite/mois.csv").status_code == 403
    savoie = client_for(used.savoie_officer)
    assert savoie.get("/offres/statistiques/territoire/", {"departement": "38"}).status_code == 404
    assert (
        savoie.get("/offres/statistiques/territoire/departements.csv", {"departement": "38"}).status_code
        == 404
    )
    correspondent = client_for(cast.correspondent)
    assert (
        correspondent.get("/offres/statistiques/solidarite/", {"organisation": cast.chambery.pk}).status_code
        == 404
    )
    assert correspondent.get("/offres/statistiques/solidarite/", {"months": "99"}).status_code == 422
