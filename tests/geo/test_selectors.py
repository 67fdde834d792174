import math

import pytest
from django.contrib.gis.geos import Point

from geo.exceptions import CoordinatesSwapped, InvalidCoordinates, PointOutsideFrance, TerritoryNotFound
from geo.selectors import commune_get, commune_search, departement_get, territory_for_point

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]


class TestTerritoryForPoint:
    def test_a_point_in_grenoble(self):
        territory = territory_for_point(Point(5.7245, 45.1885, srid=4326))
        assert territory.commune.code == "38185"
        assert territory.commune.name == "Grenoble"
        assert (territory.departement.code, territory.departement.name) == ("38", "Isère")
        assert (territory.region.code, territory.region.name) == ("84", "Auvergne-Rhône-Alpes")

    @pytest.mark.parametrize(
        ("lon", "lat", "commune"),
        [
            (2.3522, 48.8566, "75056"),  # Paris
            (-4.4857, 48.3827, "29019"),  # Brest
            (8.7369, 41.9192, "2A004"),  # Ajaccio
            (55.4504, -20.8789, "97411"),  # Saint-Denis, La Réunion
            (4.9806, 44.3839, "84138"),  # Valréas, Vaucluse enclave inside Drôme
        ],
    )
    def test_real_places(self, lon, lat, commune):
        assert territory_for_point(Point(lon, lat, srid=4326)).commune.code == commune

    def test_valreas_enclave_belongs_to_vaucluse(self):
        territory = territory_for_point(Point(4.9806, 44.3839, srid=4326))
        assert territory.departement.code == "84"

    def test_a_point_in_the_atlantic_is_refused(self):
        with pytest.raises(PointOutsideFrance) as error:
            territory_for_point(Point(-20.0, 45.0, srid=4326))
        assert error.value.code == "point_outside_france"
        assert error.value.http_status == 422

    def test_a_point_in_spain_is_refused(self):
        with pytest.raises(PointOutsideFrance):
            territory_for_point(Point(-3.7038, 40.4168, srid=4326))

    def test_swapped_latitude_and_longitude_are_named(self):
        with pytest.raises(CoordinatesSwapped) as error:
            territory_for_point(Point(45.1885, 5.7245, srid=4326))
        assert "inverse" in error.value.message

    @pytest.mark.parametrize(
        ("lon", "lat"), [(math.nan, 45.0), (2.0, math.inf), (-math.inf, 45.0), (181.0, 45.0), (2.0, -90.5)]
    )
    def test_non_finite_or_out_of_range_coordinates(self, lon, lat):
        with pytest.raises(InvalidCoordinates):
            territory_for_point(Point(lon, lat, srid=4326))

    def test_a_beach_just_off_the_simplified_coast_still_finds_its_commune(self):
        # La Baule beach, a few hundred metres from the town hall, at the water's edge.
        territory = territory_for_point(Point(-2.3700, 47.2790, srid=4326))
        assert territory.departement.code == "44"


class TestCommuneSearch:
    def test_accent_and_case_insensitive(self):
        assert commune_search("saint etienne")[0].code == "42218"
        assert commune_search("SAINT-ÉTIENNE")[0].code == "42218"

    def test_postal_code(self):
        assert [c.code for c in commune_search("38000")] == ["38185"]
        assert commune_search("75001")[0].code == "75056"

    def test_prefix_prefers_the_largest_town(self):
        assert commune_search("gren")[0].code == "38185"

    def test_typo_tolerated(self):
        assert commune_search("marseile")[0].code == "13055"

    def test_article_and_apostrophes(self):
        assert commune_search("ile d yeu")[0].code == "85113"

    def test_limit(self):
        assert len(commune_search("saint", limit=5)) == 5

    def test_nothing_found(self):
        assert commune_search("zzzzqqqq") == []


class TestGetters:
    def test_departement_and_commune_by_code(self):
        assert departement_get("2A").name == "Corse-du-Sud"
        assert commune_get("38185").departement.name == "Isère"

    def test_unknown_codes(self):
        with pytest.raises(TerritoryNotFound):
            departement_get("99")
        with pytest.raises(TerritoryNotFound):
            commune_get("00000")
