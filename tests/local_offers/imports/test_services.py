"""The import's workflow on the real territories: preview (nothing written), run in one transaction,
idempotent re-import, duplicates updated instead of duplicated, all or nothing, mapping remembered."""

from pathlib import Path

import pytest

from local_offers.imports import exceptions as e
from local_offers.imports import plan as planning
from local_offers.imports import services
from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.models import Facility, FacilityStatus
from tests.helpers import assert_nothing_written
from tests.local_offers.imports.conftest import (
    AT_SEA,
    csv_bytes,
    frame,
    standard_rows,
    to_bytes,
    upload,
    zipped_shapefile,
)


def uploaded(people, content: bytes, name: str = "equipements.gpkg") -> FacilityImport:
    return services.facility_import_upload(
        actor=people.correspondent, organisation_id=people.organisation.pk, upload=upload(content, name)
    )


def run(people, content: bytes, *, publish: bool = False, mapping=None, crs=None) -> FacilityImport:
    record = uploaded(people, content)
    record = services.facility_import_preview(
        actor=people.correspondent, facility_import=record, mapping=mapping, crs=crs
    )
    record = services.facility_import_confirm(
        actor=people.correspondent, facility_import=record, publish=publish
    )
    return services.facility_import_run(import_id=record.pk)


def gpkg(tmp_path, rows=None, crs=2154) -> bytes:
    return to_bytes(frame(rows or standard_rows(), crs=crs), "gpkg", tmp_path)


class TestPreview:
    def test_preview_counts_and_explains_rejections_and_writes_no_facility(self, people, tmp_path):
        rows = standard_rows(6)
        rows[5]["lon"], rows[5]["lat"] = AT_SEA
        rows[4]["nom"] = ""
        record = uploaded(people, gpkg(tmp_path, rows))
        assert record.status == ImportStatus.UPLOADED
        assert record.mapping["name"] == "nom"
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        assert record.status == ImportStatus.PREVIEWED
        assert (record.created_count, record.updated_count, record.rejected_count) == (4, 0, 2)
        assert [(r["row"], r["code"]) for r in record.preview["rejections"]] == [
            (5, "name_missing"),
            (6, "point_outside_france"),
        ]
        assert record.preview["samples"]["create"][0]["commune"] == "Grenoble"
        assert not Facility.objects.exists()

    def test_a_hostile_upload_stores_nothing(self, people, tmp_path):
        content = to_bytes(frame(standard_rows(), crs=2154), "shapefile", tmp_path)
        import zipfile, io  # noqa: E401, I001

        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                if not info.filename.endswith(".prj"):
                    target.writestr(info.filename, source.read(info))
        with assert_nothing_written(), pytest.raises(e.CrsMissing):
            uploaded(people, buffer.getvalue(), "equipements.zip")

    def test_missing_mapping_names_the_missing_fields(self, people, tmp_path):
        record = uploaded(people, csv_bytes(standard_rows()), "e.csv")
        with assert_nothing_written(), pytest.raises(e.ColumnsMissing) as raised:
            services.facility_import_preview(
                actor=people.correspondent, facility_import=record, mapping={"category": "categorie"}
            )
        assert set(raised.value.detail["missing"]) == {"name", "x", "y"}


class TestRun:
    def test_import_creates_then_reimport_changes_nothing(self, people, tmp_path):
        content = gpkg(tmp_path)
        first = run(people, content, publish=True)
        assert first.status == ImportStatus.DONE
        assert (first.created_count, first.updated_count, first.rejected_count) == (5, 0, 0)
        assert first.progress == 100
        facilities = Facility.objects.filter(organisation=people.organisation).order_by("external_id")
        assert [f.external_id for f in facilities] == [f"EQ-{i}" for i in range(5)]
        museum = facilities[0]
        assert (museum.category, museum.status, museum.commune.name) == (
            "museum",
            FacilityStatus.PUBLISHED,
            "Grenoble",
        )
        assert museum.created_by == people.correspondent
        assert museum.location.x == pytest.approx(5.7263, abs=1e-6)
        before = list(Facility.objects.values_list("id", "updated_at").order_by("id"))

        again = run(people, content)
        assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
        assert list(Facility.objects.values_list("id", "updated_at").order_by("id")) == before

    def test_changed_rows_are_updated_by_external_id_not_duplicated(self, people, tmp_path):
        run(people, gpkg(tmp_path))
        rows = standard_rows()
        rows[0]["nom"] = "Musée dauphinois"
        rows[1]["lon"] += 0.01
        result = run(people, gpkg(tmp_path, rows))
        assert (result.created_count, result.updated_count, result.unchanged_count) == (0, 2, 3)
        assert Facility.objects.count() == 5
        assert Facility.objects.get(external_id="EQ-0").name == "Musée dauphinois"

    def test_same_name_within_50_m_without_ids_updates(self, people, tmp_path):
        rows = [{k: v for k, v in r.items() if k != "identifiant"} for r in standard_rows(2)]
        run(people, gpkg(tmp_path, rows))
        rows[0]["adresse"] = "Nouvelle adresse"
        rows[0]["lon"] += 0.0003  # about 24 m east
        rows[1]["lon"] += 0.002  # about 160 m: another facility
        result = run(people, gpkg(tmp_path, rows))
        assert (result.created_count, result.updated_count) == (1, 1)
        assert Facility.objects.filter(name="Équipement 0").get().address == "Nouvelle adresse"
        assert Facility.objects.filter(name="Équipement 1").count() == 2

    def test_all_or_nothing_a_failure_mid_import_leaves_no_facility(self, people, tmp_path, monkeypatch):
        real_write = planning.write

        def write_then_fail(**kwargs):
            created, _updated = real_write(**kwargs)
            assert created == 5  # the rows were inserted in the transaction…
            raise RuntimeError("disk full")  # …which then fails

        monkeypatch.setattr(planning, "write", write_then_fail)
        with pytest.raises(RuntimeError):
            run(people, gpkg(tmp_path))
        assert not Facility.objects.exists()
        record = FacilityImport.objects.get()
        assert (record.status, record.error["code"]) == (ImportStatus.FAILED, "internal_error")

    def test_csv_in_lambert93_with_the_crs_chosen_in_the_mapping(self, people, tmp_path):
        content = csv_bytes(standard_rows(), x="X", y="Y", crs=2154)
        record = uploaded(people, content, "e.csv")
        assert record.crs == 2154
        result = run(people, content, crs=2154)
        assert result.created_count == 5

    def test_the_mapping_is_remembered_for_the_next_file(self, people, tmp_path):
        rows = [{"Intitulé du lieu": r["nom"], "lon": r["lon"], "lat": r["lat"]} for r in standard_rows(2)]
        first = uploaded(people, gpkg(tmp_path, rows))
        assert "name" not in first.mapping
        services.facility_import_preview(
            actor=people.correspondent, facility_import=first, mapping={"name": "Intitulé du lieu"}
        )
        second = uploaded(people, gpkg(tmp_path, rows))
        assert second.mapping == {"name": "Intitulé du lieu"}

    def test_confirm_twice_is_a_conflict(self, people, tmp_path):
        record = uploaded(people, gpkg(tmp_path))
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        services.facility_import_confirm(actor=people.correspondent, facility_import=record)
        with pytest.raises(e.ImportWrongState):
            services.facility_import_confirm(actor=people.correspondent, facility_import=record)

    def test_bulk_writes_in_a_few_statements_whatever_the_row_count(
        self, people, tmp_path, django_assert_max_num_queries
    ):
        content = gpkg(tmp_path, standard_rows(200))
        record = uploaded(people, content)
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        record = services.facility_import_confirm(actor=people.correspondent, facility_import=record)
        with django_assert_max_num_queries(40):
            result = services.facility_import_run(import_id=record.pk)
        assert result.created_count == 200


class TestStagedRows:
    """The preview stages the rows once (a staging table of the import); the run reuses them."""

    def test_the_run_reuses_the_preview_s_rows_then_drops_them(self, people, tmp_path, monkeypatch):
        rows = standard_rows(6)
        rows[5]["lon"], rows[5]["lat"] = AT_SEA
        record = uploaded(people, gpkg(tmp_path, rows))
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        table = planning.stage_table(record.pk)
        assert planning.stage_exists(table)
        record = services.facility_import_confirm(actor=people.correspondent, facility_import=record)

        def no_second_read(*args, **kwargs):
            raise AssertionError("the run read the file again")

        monkeypatch.setattr(services, "_opened", no_second_read)
        result = services.facility_import_run(import_id=record.pk)
        assert (result.status, result.created_count, result.rejected_count) == (ImportStatus.DONE, 5, 1)
        assert [r["code"] for r in result.preview["rejections"]] == ["point_outside_france"]
        assert Facility.objects.count() == 5
        assert not planning.stage_exists(table)

    def test_a_file_kept_in_a_local_folder_is_read_where_it_is(self, people, tmp_path, monkeypatch):
        """With a filesystem storage (development, production), the preview and a run without staged rows read
        the kept file in place (no copy); the result is the copy's."""
        from django.core.files.storage import FileSystemStorage

        monkeypatch.setattr(
            FacilityImport._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "kept")
        )
        copies = []
        real_copy = services.copy_upload

        def counted(source, target):
            copies.append(target)
            return real_copy(source, target)

        monkeypatch.setattr(services, "copy_upload", counted)
        content = gpkg(tmp_path)
        record = uploaded(people, content)
        assert Path(record.file.path).read_bytes() == content
        assert record.size == len(content)
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        planning.drop_stage(planning.stage_table(record.pk))
        record = services.facility_import_confirm(actor=people.correspondent, facility_import=record)
        result = services.facility_import_run(import_id=record.pk)
        assert (result.status, result.created_count) == (ImportStatus.DONE, 5)
        assert copies == []
        assert [p.name for p in (tmp_path / "kept" / "facility_imports").iterdir()] == [
            Path(record.file.name).name
        ]

    def test_a_refused_upload_leaves_no_file_in_a_local_folder(self, people, tmp_path, monkeypatch):
        """With a filesystem storage the upload is kept first, then checked where it is: a refused one is
        deleted again; one over the size limit is refused before anything is kept."""
        from django.core.files.storage import FileSystemStorage
        from django.test import override_settings

        kept = tmp_path / "kept"
        monkeypatch.setattr(
            FacilityImport._meta.get_field("file"), "storage", FileSystemStorage(location=kept)
        )
        no_prj = zipped_shapefile(frame(standard_rows()), tmp_path, drop=(".prj",))
        with assert_nothing_written(), pytest.raises(e.CrsMissing):
            uploaded(people, no_prj, "equipements.zip")
        content = gpkg(tmp_path)
        with override_settings(FACILITY_IMPORT_MAX_BYTES=len(content) - 1), pytest.raises(e.FileTooLarge):
            uploaded(people, content)
        assert not FacilityImport.objects.exists()
        assert list(kept.rglob("*.bin")) == []
        uploaded(people, content)
        assert len(list(kept.rglob("*.bin"))) == 1

    def test_without_its_staged_rows_the_run_reads_the_file_again(self, people, tmp_path):
        record = uploaded(people, gpkg(tmp_path))
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        planning.drop_stage(planning.stage_table(record.pk))
        record = services.facility_import_confirm(actor=people.correspondent, facility_import=record)
        result = services.facility_import_run(import_id=record.pk)
        assert (result.status, result.created_count) == (ImportStatus.DONE, 5)
        assert not planning.stage_exists(planning.stage_table(record.pk))

    def test_the_run_matches_against_the_facilities_as_they_are_when_it_runs(self, people, tmp_path):
        content = gpkg(tmp_path)
        previewed = uploaded(people, content)
        previewed = services.facility_import_preview(actor=people.correspondent, facility_import=previewed)
        assert previewed.created_count == 5
        run(people, content)  # another import of the same rows lands first
        confirmed = services.facility_import_confirm(actor=people.correspondent, facility_import=previewed)
        result = services.facility_import_run(import_id=confirmed.pk)
        assert (result.created_count, result.unchanged_count) == (0, 5)
        assert Facility.objects.count() == 5

    def test_a_first_import_s_run_keeps_the_preview_s_plan_and_only_inserts(self, people, tmp_path):
        """The employer had no facility at the preview and has none at the run: the staged rows are as the
        preview classified them, so the run reads them only to insert them (no classification, no samples
        looked for again, no UPDATE of rows to update: there are none)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        previewed = uploaded(people, gpkg(tmp_path))
        previewed = services.facility_import_preview(actor=people.correspondent, facility_import=previewed)
        stage = planning.stage_table(previewed.pk)
        confirmed = services.facility_import_confirm(actor=people.correspondent, facility_import=previewed)
        with CaptureQueriesContext(connection) as captured:
            result = services.facility_import_run(import_id=confirmed.pk)
        assert (result.status, result.created_count, result.updated_count) == (ImportStatus.DONE, 5, 0)
        assert result.preview["samples"] == previewed.preview["samples"]
        assert len(result.preview["samples"]["create"]) == 5
        statements = [q["sql"] for q in captured.captured_queries if stage in q["sql"]]
        assert "to_regclass" in statements[0]  # whether the stage is there
        assert [sql.split()[0] for sql in statements[1:]] == ["INSERT", "DROP"]
        assert Facility.objects.count() == 5

    def test_facilities_gone_since_the_preview_are_created_again_by_the_run(self, people, tmp_path):
        # The preview matched every row to one of the employer's facilities (one changed); they are all
        # deleted before the run: the employer has none, so the run creates every row (no match kept).
        rows = standard_rows()
        run(people, gpkg(tmp_path, rows), publish=True)
        rows[0]["nom"] = "Équipement renommé"
        previewed = uploaded(people, gpkg(tmp_path, rows))
        previewed = services.facility_import_preview(actor=people.correspondent, facility_import=previewed)
        assert (previewed.created_count, previewed.updated_count, previewed.unchanged_count) == (0, 1, 4)
        assert [s["name"] for s in previewed.preview["samples"]["update"]] == ["Équipement renommé"]
        Facility.objects.all().delete()
        confirmed = services.facility_import_confirm(actor=people.correspondent, facility_import=previewed)
        result = services.facility_import_run(import_id=confirmed.pk)
        assert (result.created_count, result.updated_count, result.unchanged_count) == (5, 0, 0)
        assert result.preview["samples"]["update"] == []
        assert len(result.preview["samples"]["create"]) == 5
        assert sorted(Facility.objects.values_list("name", flat=True))[0] == "Équipement 1"
        assert Facility.objects.filter(name="Équipement renommé").count() == 1

    def test_stale_staging_tables_are_dropped_at_the_next_upload(self, people, tmp_path):
        done = run(people, gpkg(tmp_path))
        kept = uploaded(people, gpkg(tmp_path))
        kept = services.facility_import_preview(actor=people.correspondent, facility_import=kept)
        failed = uploaded(people, gpkg(tmp_path))
        failed = services.facility_import_preview(actor=people.correspondent, facility_import=failed)
        FacilityImport.objects.filter(pk=failed.pk).update(status=ImportStatus.FAILED)
        uploaded(people, gpkg(tmp_path))
        assert not planning.stage_exists(planning.stage_table(done.pk))
        assert not planning.stage_exists(planning.stage_table(failed.pk))
        assert planning.stage_exists(planning.stage_table(kept.pk))


class TestReferencesCheckedAsASet:
    """The run's INSERT checks the rows' foreign keys once as a set (locking each referenced row as the
    row-by-row triggers do) instead of three deferred checks per row; a role that may not skip the triggers
    keeps them, with the same result."""

    def test_the_facility_table_has_no_trigger_but_its_foreign_keys(self, db):
        # `session_replication_role = replica` skips every ordinary trigger of the run's INSERT: a trigger of
        # another kind on this table would have to be fired by the import itself (plan.write).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.tgname, coalesce(c.contype, '-') FROM pg_trigger t "
                "LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint "
                "WHERE t.tgrelid = 'local_offers_facility'::regclass"
            )
            triggers = cursor.fetchall()
        assert triggers, "the foreign keys' own triggers are listed"
        assert [name for name, kind in triggers if kind != "f"] == []

    @pytest.mark.parametrize("as_a_set", [True, False])
    def test_the_referenced_rows_are_locked_until_the_import_commits(
        self, people, tmp_path, monkeypatch, as_a_set
    ):
        from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

        monkeypatch.setattr(planning, "may_check_references_as_a_set", lambda: as_a_set)
        real_write = planning.write
        seen = {}

        def write_then_look(**kwargs):
            counts = real_write(**kwargs)
            with connection.cursor() as cursor:
                cursor.execute("SHOW session_replication_role")
                seen["role"] = cursor.fetchone()[0]
                # The employer and the author were created by this test: nothing else ever locked them.
                cursor.execute(
                    "SELECT (SELECT xmax FROM organisations_organisation WHERE id = %s)::text <> '0', "
                    "(SELECT xmax FROM accounts_user WHERE id = %s)::text <> '0'",
                    [people.organisation.pk, people.correspondent.pk],
                )
                seen["locked"] = list(cursor.fetchone())
            # The commune (committed territories) as another session finds it: it may not delete it (nor
            # change its key) before the import commits.
            other = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with other.cursor() as cursor:
                    cursor.execute("BEGIN")
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                    try:
                        cursor.execute("DELETE FROM geo_commune WHERE code = '38185'")
                        seen["locked"].append(False)
                    except OperationalError:
                        seen["locked"].append(True)
                    cursor.execute("ROLLBACK")
            finally:
                other.close()
            return counts

        monkeypatch.setattr(planning, "write", write_then_look)
        result = run(people, gpkg(tmp_path), publish=True)
        assert (result.status, result.created_count) == (ImportStatus.DONE, 5)
        assert seen["role"] == "origin"  # the triggers skip only the INSERT
        # Both ways lock the employer, the author and the communes before the commit (checked as a set: the
        # employer and the author FOR KEY SHARE, the commune table in SHARE mode; row by row, the deferred
        # triggers lock them FOR KEY SHARE at COMMIT).
        assert seen["locked"] == [as_a_set] * 3
        facility = Facility.objects.get(external_id="EQ-0")
        assert (facility.organisation, facility.created_by, facility.commune_id, facility.departement_id) == (
            people.organisation,
            people.correspondent,
            "38185",
            "38",
        )

    @pytest.mark.parametrize("as_a_set", [True, False])
    def test_a_reference_gone_fails_the_write(self, people, tmp_path, monkeypatch, as_a_set):
        from django.db import IntegrityError, connection, transaction

        monkeypatch.setattr(planning, "may_check_references_as_a_set", lambda: as_a_set)
        record = uploaded(people, gpkg(tmp_path))
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)

        def write_for_nobody() -> None:
            with transaction.atomic():
                planning.write(
                    table=planning.stage_table(record.pk),
                    organisation_id=people.organisation.pk,
                    actor_id=people.correspondent.pk + 10_000,  # nobody
                    mapped=["name"],
                    publish=False,
                )
                connection.check_constraints()  # row by row, the deferred checks now rather than at COMMIT

        with pytest.raises(IntegrityError):
            write_for_nobody()
        assert not Facility.objects.exists()

    @pytest.mark.parametrize("as_a_set", [True, False])
    def test_a_commune_gone_since_the_preview_fails_the_write(self, people, tmp_path, monkeypatch, as_a_set):
        # The staged rows' commune as the run finds it: no longer in the territory data (deleted, or its code
        # changed). The INSERT takes the commune, its département and région from the commune table: none,
        # so the row would have no commune; nothing is written.
        from django.db import IntegrityError, connection, transaction

        monkeypatch.setattr(planning, "may_check_references_as_a_set", lambda: as_a_set)
        record = uploaded(people, gpkg(tmp_path))
        record = services.facility_import_preview(actor=people.correspondent, facility_import=record)
        stage = planning.stage_table(record.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {stage} SET commune = '99999' WHERE row = (SELECT min(row) FROM {stage})")

        with pytest.raises(IntegrityError), transaction.atomic():
            planning.write(
                table=stage,
                organisation_id=people.organisation.pk,
                actor_id=people.correspondent.pk,
                mapped=["name"],
                publish=False,
            )
        assert not Facility.objects.exists()


def test_text_with_copy_s_special_characters_is_written_as_it_was(people, tmp_path):
    """The rows go to the database in COPY's text format: backslashes, tabs, line breaks and a literal \\N
    come back as they were (a description keeps its lines; a name's spaces are collapsed as always)."""
    rows = standard_rows(3)
    rows[0]["description"] = "Ligne 1\nLigne\t2 \\N C:\\dossier\r\nfin"
    rows[0]["nom"] = 'Le \\N "cité" \\'
    rows[1]["description"] = ""
    rows[2]["description"] = "\\."
    run(people, gpkg(tmp_path, rows), publish=True)
    found = {f.external_id: (f.name, f.description) for f in Facility.objects.all()}
    assert found == {
        "EQ-0": ('Le \\N "cité" \\', "Ligne 1\nLigne\t2 \\N C:\\dossier\r\nfin"),
        "EQ-1": ("Équipement 1", ""),
        "EQ-2": ("Équipement 2", "\\."),
    }


def test_the_staging_leaves_the_planner_s_costs_as_they_were(people, tmp_path):
    """The communes are found with the parallel workers' costs set to nothing for that one statement."""
    from django.db import connection

    def costs() -> tuple[str, str, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('parallel_setup_cost'), current_setting('parallel_tuple_cost')"
            )
            return cursor.fetchone()

    before = costs()
    record = services.facility_import_preview(
        actor=people.correspondent, facility_import=uploaded(people, gpkg(tmp_path))
    )
    assert record.created_count == 5
    assert costs() == before
    assert before != ("0", "0", "0")


def test_a_point_in_two_overlapping_communes_gets_the_same_one_every_time(people, tmp_path):
    """Two communes of the territory data overlap (Pas-de-Calais): a point in both gets the lowest code, so
    that importing the file again changes nothing even when the communes were walked in another order
    (in parallel)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, b.code, ST_X(p), ST_Y(p) FROM geo_commune a JOIN geo_commune b "
            "ON a.code = '62447' AND b.code = '62550', "
            "LATERAL ST_PointOnSurface(ST_Intersection(a.geom, b.geom)) p"
        )
        low, high, lon, lat = cursor.fetchone()
    rows = standard_rows(2)
    rows[1]["lon"], rows[1]["lat"] = lon, lat
    first = run(people, gpkg(tmp_path, rows))
    assert first.created_count == 2
    assert Facility.objects.get(external_id="EQ-1").commune_id == min(low, high)
    again = run(people, gpkg(tmp_path, rows))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)


class TestPointsStagedWhileTheTextIsPrepared:
    """The preview's points go to the database (and their communes are found) in a thread of its own on the
    transaction's connection while the text columns are normalised: its failure, or the normalising's, is
    the preview's, nothing is written, and the connection is free again afterwards."""

    def test_a_failure_of_the_database_s_part_fails_the_preview_with_nothing_written(
        self, people, tmp_path, monkeypatch
    ):
        import psycopg

        record = uploaded(people, gpkg(tmp_path))
        monkeypatch.setattr(
            planning, "communes_found_sql", lambda *args, **kwargs: "SELECT nonsense FROM nowhere"
        )
        with assert_nothing_written(), pytest.raises(psycopg.errors.UndefinedTable):
            services.facility_import_preview(actor=people.correspondent, facility_import=record)
        record.refresh_from_db()
        assert record.status == ImportStatus.UPLOADED
        assert not planning.stage_exists(planning.stage_table(record.pk))
        assert not planning.stage_exists(planning.POINTS_PREFIX + str(record.pk))

    def test_a_failure_of_the_points_copy_is_raised_and_nothing_waits_forever(
        self, people, tmp_path, monkeypatch
    ):
        """The caller waits until the points' thread has sent its long statements: a thread that fails
        before (here its COPY, fed a broken header) releases it all the same, and the failure is raised."""
        import psycopg
        from django.db import connection

        record = uploaded(people, gpkg(tmp_path))
        monkeypatch.setattr(planning, "_binary_points", lambda *args: b"not COPY's binary format")
        with assert_nothing_written(), pytest.raises(psycopg.errors.BadCopyFileFormat):
            services.facility_import_preview(actor=people.correspondent, facility_import=record)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert FacilityImport.objects.get(pk=record.pk).status == ImportStatus.UPLOADED

    def test_a_failure_while_the_points_are_staged_is_raised_once_they_are(
        self, people, tmp_path, monkeypatch
    ):
        from django.db import connection

        from local_offers.imports import rows

        record = uploaded(people, gpkg(tmp_path))
        started = []
        real_start = planning._PointsStaged.start

        def start(self, *args):
            started.append(True)
            real_start(self, *args)

        def broken(*args, **kwargs):
            raise RuntimeError("normalising failed")

        monkeypatch.setattr(planning._PointsStaged, "start", start)
        monkeypatch.setattr(rows, "_columns", broken)
        with assert_nothing_written(), pytest.raises(RuntimeError, match="normalising failed"):
            services.facility_import_preview(actor=people.correspondent, facility_import=record)
        assert started == [True]
        with connection.cursor() as cursor:  # the connection is usable: the thread was joined
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert FacilityImport.objects.get(pk=record.pk).status == ImportStatus.UPLOADED
