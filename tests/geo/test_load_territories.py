from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from geo.models import Commune, Departement, Region, TerritoryDataset
from geo.services import territories_load
from tests.helpers import assert_nothing_written, table_checksums

GEO_TABLES = ("geo_region", "geo_departement", "geo_commune")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]


def scalar(sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


class TestLoadedData:
    def test_counts(self):
        assert Region.objects.count() == 18
        assert Departement.objects.count() == 101
        assert Commune.objects.count() == 34_871
        assert TerritoryDataset.objects.get().communes == 34_871

    def test_every_commune_has_a_departement_and_region_and_a_point_inside(self):
        assert Commune.objects.filter(departement__isnull=True).count() == 0
        assert (
            scalar(
                "SELECT count(*) FROM geo_commune c JOIN geo_departement d ON d.code = c.departement_id "
                "WHERE d.region_id <> c.region_id"
            )
            == 0
        )
        assert scalar("SELECT count(*) FROM geo_commune WHERE NOT ST_Intersects(geom, point)") == 0

    def test_all_geometries_are_valid(self):
        for table in ("geo_region", "geo_departement", "geo_commune"):
            assert scalar(f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)") == 0
        assert scalar("SELECT count(*) FROM geo_departement WHERE NOT ST_IsValid(geom_simple)") == 0

    def test_departements_tile_their_region_without_gaps_or_overlaps(self):
        # Sum of the départements' areas equals the area of their union (no overlaps) and of the région.
        overlap = scalar(
            "SELECT max(abs(s.area - ST_Area(r.geom::geography)) / ST_Area(r.geom::geography)) FROM geo_region r "
            "JOIN (SELECT region_id, sum(ST_Area(geom::geography)) AS area FROM geo_departement "
            "GROUP BY region_id) s ON s.region_id = r.code"
        )
        assert overlap < 0.001

    def test_metropolitan_france_has_no_holes_but_real_enclaves(self):
        # Drôme has exactly one hole: the Valréas enclave of Vaucluse.
        assert scalar("SELECT ST_NRings(geom) FROM geo_departement WHERE code = '26'") == 2
        assert scalar("SELECT ST_NumGeometries(geom) FROM geo_departement WHERE code = '84'") == 2
        assert Commune.objects.get(code="84138").departement_id == "84"

    def test_postal_codes_and_search_names(self):
        grenoble = Commune.objects.get(code="38185")
        assert grenoble.postal_codes == ["38000", "38100"]
        assert Commune.objects.get(code="42218").search_name == "saint etienne"


class TestIdempotence:
    def test_second_load_writes_nothing(self):
        with assert_nothing_written():
            result = territories_load(show_progress=False)
        assert result.skipped is True
        assert result.changed == 0

    def test_forced_reload_changes_no_row(self):
        before = table_checksums()
        result = territories_load(force=True, show_progress=False)
        after = table_checksums()
        assert result.skipped is False
        assert result.changed == 0
        # Not the loader's own count only: the rows themselves (geometries aside) are the same.
        assert [after[t] for t in GEO_TABLES] == [before[t] for t in GEO_TABLES]

    def test_a_changed_row_is_restored(self):
        Commune.objects.filter(code="38185").update(name="Grenoble-modifié")
        result = territories_load(force=True, show_progress=False)
        assert result.changed == 1
        assert Commune.objects.get(code="38185").name == "Grenoble"

    def test_command_prints_a_summary(self, capsys):
        call_command("load_territories", verbosity=0)
        out = capsys.readouterr().out
        assert "18 régions, 101 départements, 34871 communes" in out
        assert "déjà à jour" in out
