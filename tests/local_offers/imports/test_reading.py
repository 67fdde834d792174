"""Reading every format and CRS, and refusing each hostile file fast, with its own stable code."""

import datetime as dt
import io
import json
import stat
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from django.test import override_settings

from local_offers.imports import exceptions as e
from local_offers.imports.mapping import category_of, suggested
from local_offers.imports.reading import TEXT_CHECKED_ROWS, opened_table, read_table
from local_offers.imports.rows import prepare, suggested_crs
from tests.local_offers.imports.conftest import (
    PLACES,
    csv_bytes,
    frame,
    standard_rows,
    to_bytes,
    zipped_shapefile,
)


def read(content: bytes, tmp_path: Path):
    path = tmp_path / "upload"
    path.write_bytes(content)
    return read_table(path)


def prepared(content: bytes, tmp_path: Path, crs: int | None = None):
    table = read(content, tmp_path)
    mapping = suggested(table.columns)
    return table, prepare(table, mapping, crs=crs if crs is not None else suggested_crs(table, mapping))


class TestFormats:
    @pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shapefile"])
    @pytest.mark.parametrize("crs", [2154, 4326, 3857, 27572])
    def test_spatial_formats_in_any_crs_come_back_to_wgs84(self, fmt, crs, tmp_path):
        table, rows = prepared(to_bytes(frame(standard_rows(), crs=crs), fmt, tmp_path), tmp_path)
        assert table.format == fmt
        assert rows.rejections == []
        lons = [r["lon"] for r in rows.rows]
        lats = [r["lat"] for r in rows.rows]
        assert np.allclose(lons, [p[0] for p in PLACES], atol=1e-6)
        assert np.allclose(lats, [p[1] for p in PLACES], atol=1e-6)
        assert [r["category"] for r in rows.rows] == ["museum", "pool", "library", "cinema", "sports"]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
    @pytest.mark.parametrize("sep", [";", ","])
    def test_csv_lon_lat_any_separator_and_encoding(self, encoding, sep, tmp_path):
        content = csv_bytes(standard_rows(), sep=sep, encoding=encoding, decimal_comma=sep == ";")
        table, rows = prepared(content, tmp_path)
        assert table.encoding == ("windows-1252" if encoding == "cp1252" else "utf-8")
        assert [r["name"] for r in rows.rows] == [f"Équipement {i}" for i in range(5)]
        assert np.allclose([r["lon"] for r in rows.rows], [p[0] for p in PLACES], atol=1e-5)

    def test_csv_x_y_in_lambert93_is_recognised_and_reprojected(self, tmp_path):
        content = csv_bytes(standard_rows(), x="x_l93", y="y_l93", crs=2154)
        table = read(content, tmp_path)
        mapping = suggested(table.columns)
        assert (mapping["x"], mapping["y"]) == ("x_l93", "y_l93")
        assert suggested_crs(table, mapping) == 2154
        rows = prepare(table, mapping, crs=2154)
        assert np.allclose([r["lat"] for r in rows.rows], [p[1] for p in PLACES], atol=1e-5)

    def test_polygons_become_a_point_inside_and_broken_ones_are_repaired(self, tmp_path):
        square = shapely.box(5.72, 45.18, 5.73, 45.19)
        bowtie = shapely.Polygon([(5.70, 45.14), (5.74, 45.15), (5.70, 45.15), (5.74, 45.14), (5.70, 45.14)])
        assert not bowtie.is_valid
        data = gpd.GeoDataFrame(
            {"nom": ["Parc", "Stade"], "categorie": ["parc de loisirs", "stade"]},
            geometry=[square, bowtie],
            crs=4326,
        ).to_crs(2154)
        _, rows = prepared(to_bytes(data, "gpkg", tmp_path), tmp_path)
        assert rows.rejections == []
        assert square.contains(shapely.Point(rows.rows[0]["lon"], rows.rows[0]["lat"]))
        assert (
            shapely.make_valid(bowtie)
            .buffer(1e-6)
            .contains(shapely.Point(rows.rows[1]["lon"], rows.rows[1]["lat"]))
        )

    def test_points_keep_their_coordinates_beside_polygons_in_the_same_file(self, tmp_path):
        square = shapely.box(5.72, 45.18, 5.73, 45.19)
        data = gpd.GeoDataFrame(
            {"nom": ["Musée", "Parc", "Piscine"], "categorie": ["musée", "parc de loisirs", "piscine"]},
            geometry=[shapely.Point(5.7245, 45.1885), square, shapely.Point(5.9212, 45.5646)],
            crs=4326,
        )
        _, rows = prepared(to_bytes(data, "gpkg", tmp_path), tmp_path)
        assert rows.rejections == []
        assert (rows.rows[0]["lon"], rows.rows[0]["lat"]) == pytest.approx((5.7245, 45.1885), abs=1e-9)
        assert square.contains(shapely.Point(rows.rows[1]["lon"], rows.rows[1]["lat"]))
        assert (rows.rows[2]["lon"], rows.rows[2]["lat"]) == pytest.approx((5.9212, 45.5646), abs=1e-9)

    def test_same_identifier_twice_in_the_file_is_merged_not_duplicated(self, tmp_path):
        rows = standard_rows(3)
        rows[2]["identifiant"] = "EQ-0"
        _, result = prepared(to_bytes(frame(rows), "gpkg", tmp_path), tmp_path)
        assert result.merged == [(1, 3)]
        assert [r["name"] for r in result.rows] == ["Équipement 1", "Équipement 2"]


class TestRowRejections:
    def test_each_bad_row_is_rejected_with_its_row_number_and_reason(self, tmp_path):
        rows = standard_rows(6)
        rows[1]["nom"] = ""
        rows[2]["categorie"] = "Déchetterie"
        rows[3]["lon"], rows[3]["lat"] = (-30.0, 40.0)  # mid-Atlantic: outside every box of the territories
        content = csv_bytes(rows)
        _, result = prepared(content, tmp_path)
        # CSV rows count from 2 (the header is line 1). A point at sea near the coast is the database's to
        # reject (tests/local_offers/imports/test_services.py).
        assert [(r.row, r.code) for r in result.rejections] == [
            (3, "name_missing"),
            (4, "category_unknown"),
            (5, "point_outside_france"),
        ]
        assert "Déchetterie" in result.rejections[1].message
        assert len(result.rows) == 3

    def test_categories_are_normalised_from_french_labels_accents_and_plurals(self):
        assert category_of("MUSÉES") == "museum"
        assert category_of("Châteaux") == "heritage"
        assert category_of("médiathèques") == "library"
        assert category_of("Centres de vacances") == "holiday_centre"
        assert category_of("Zoo, aquarium") == "zoo"
        assert category_of("pool") == "pool"
        assert category_of("") == "other"
        assert category_of("Déchetterie") is None


def _zip(entries: list[tuple[str, bytes]], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


class TestHostileFiles:
    def test_a_shapefile_without_prj_is_crs_missing(self, tmp_path):
        content = zipped_shapefile(frame(standard_rows()), tmp_path, drop=(".prj",))
        with pytest.raises(e.CrsMissing):
            read(content, tmp_path)

    def test_lambert93_coordinates_declared_as_wgs84_are_crs_mismatch(self, tmp_path):
        lambert = frame(standard_rows(), crs=2154).set_crs(4326, allow_override=True)
        table = read(to_bytes(lambert, "gpkg", tmp_path), tmp_path)
        with pytest.raises(e.CrsMismatch):
            prepare(table, suggested(table.columns))

    def test_csv_wgs84_declared_as_lambert93_is_crs_mismatch(self, tmp_path):
        table = read(csv_bytes(standard_rows()), tmp_path)
        with pytest.raises(e.CrsMismatch):
            prepare(table, suggested(table.columns), crs=2154)

    def test_an_unknown_epsg_code_is_refused(self, tmp_path):
        table = read(csv_bytes(standard_rows()), tmp_path)
        with pytest.raises(e.CrsUnknown):
            prepare(table, suggested(table.columns), crs=999_999)

    def test_a_million_vertex_polygon_is_refused_before_parsing(self, tmp_path):
        angles = np.linspace(0, 2 * np.pi, 1_000_000)
        ring = np.column_stack([5.72 + 0.01 * np.cos(angles), 45.18 + 0.01 * np.sin(angles)])
        huge = gpd.GeoDataFrame({"nom": ["Énorme"]}, geometry=[shapely.Polygon(ring)], crs=4326)
        content = to_bytes(huge, "gpkg", tmp_path)
        with pytest.raises(e.GeometryTooComplex) as raised:
            read(content, tmp_path)
        assert raised.value.detail["vertices"] >= 1_000_000

    def test_a_zip_bomb_is_refused_from_its_directory(self, tmp_path):
        content = _zip([("equipements.csv", b"nom;lon;lat\n" + b"0" * (50 * 1024 * 1024))])
        assert len(content) < 200_000
        with pytest.raises(e.ArchiveRatio):
            read(content, tmp_path)

    def test_a_zip_over_the_size_limit_once_inflated_is_refused(self, tmp_path):
        content = _zip([("a.csv", b"nom;lon;lat\n" + bytes(range(256)) * 8000)])
        with override_settings(FACILITY_IMPORT_MAX_BYTES=1_000_000), pytest.raises(e.ArchiveTooLarge):
            read(content, tmp_path)

    @pytest.mark.parametrize(
        "name", ["../../etc/cron.d/x.csv", "/srv/abs.csv", "C:/Windows/x.csv", "a/../../b.csv"]
    )
    def test_path_traversal_and_absolute_paths_are_refused(self, name, tmp_path):
        with pytest.raises(e.ArchiveUnsafePath):
            read(_zip([(name, b"nom;lon;lat\nA;5,72;45,18\n")]), tmp_path)

    def test_a_symlink_in_an_archive_is_refused(self, tmp_path):
        with pytest.raises(e.ArchiveSymlink):
            read(_zip([("a.csv", b"nom;lon;lat\nA;5,72;45,18\n")], symlink="b.csv"), tmp_path)

    def test_too_many_entries_is_refused(self, tmp_path):
        with pytest.raises(e.ArchiveTooManyEntries):
            read(_zip([(f"f{i}.txt", b"x") for i in range(30)]), tmp_path)

    def test_missing_required_columns_name_them(self, tmp_path):
        table = read(b"libelle_court;lon;lat\nPiscine;5,72;45,18\n", tmp_path)
        with pytest.raises(e.ColumnsMissing) as raised:
            prepare(table, suggested(table.columns), crs=4326)
        assert raised.value.detail["missing"] == ["name"]

    def test_utf8_accents_inside_a_windows_1252_file_are_encoding_mixed(self, tmp_path):
        content = "nom;lon;lat\nMusée;5,72;45,18\n".encode() + "Théâtre;5,73;45,19\n".encode("cp1252")
        with pytest.raises(e.EncodingMixed):
            read(content, tmp_path)

    def test_undecodable_bytes_are_encoding_invalid(self, tmp_path):
        with pytest.raises(e.EncodingInvalid):
            read(b"nom;lon;lat\nMus\x81e\x8d;5,72;45,18\n\x9d\n", tmp_path)

    def test_utf16_is_encoding_invalid(self, tmp_path):
        with pytest.raises(e.EncodingInvalid):
            read("nom;lon;lat\nA;1;2\n".encode("utf-16"), tmp_path)

    def test_a_file_over_the_size_limit_is_refused(self, tmp_path):
        with override_settings(FACILITY_IMPORT_MAX_BYTES=1000), pytest.raises(e.FileTooLarge):
            read(b"nom;lon;lat\n" + b"A;5,72;45,18\n" * 200, tmp_path)

    @pytest.mark.parametrize(
        "content",
        [
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
            b"%PDF-1.7\n",
            b"SQLite format 3\x00" + b"\x00" * 200,
            b"just words",
        ],
    )
    def test_unknown_formats_are_told_by_content(self, content, tmp_path):
        with pytest.raises(e.FormatUnknown):
            read(content, tmp_path)

    def test_a_csv_named_gpkg_is_read_as_csv(self, tmp_path):
        path = tmp_path / "equipements.gpkg"
        path.write_bytes(csv_bytes(standard_rows()))
        assert read_table(path).format == "csv"

    def test_a_bare_shp_is_refused_with_the_zip_hint(self, tmp_path):
        folder = tmp_path / "s"
        folder.mkdir()
        frame(standard_rows()).to_file(folder / "a.shp", engine="pyogrio")
        with pytest.raises(e.ShapefileNotZipped):
            read((folder / "a.shp").read_bytes(), tmp_path)

    def test_a_truncated_geopackage_is_unreadable(self, tmp_path):
        content = to_bytes(frame(standard_rows()), "gpkg", tmp_path)
        with pytest.raises((e.FileUnreadable, e.NoRows)):
            read(content[: len(content) // 3], tmp_path)

    def test_a_geojson_with_a_broken_geometry_is_unreadable_or_rejected(self, tmp_path):
        document = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"nom": "Bon"},
                    "geometry": {"type": "Point", "coordinates": [5.72, 45.18]},
                },
                {
                    "type": "Feature",
                    "properties": {"nom": "Cassé"},
                    "geometry": {"type": "Polygon", "coordinates": [[[5.7, 45.1], [5.7, 45.1]]]},
                },
            ],
        }
        content = json.dumps(document).encode()
        try:
            table = read(content, tmp_path)
        except e.FileUnreadable:
            return
        result = prepare(table, suggested(table.columns))
        assert [r.code for r in result.rejections] in (["geometry_invalid"], ["geometry_missing"])
        assert [r["name"] for r in result.rows] == ["Bon"]

    def test_an_empty_file_is_refused(self, tmp_path):
        with pytest.raises(e.FileEmpty):
            read(b"", tmp_path)


class TestAttributesReadLater:
    """The preview opens the file (`opened_table`): the geometries at once, the attributes when `prepare` asks
    for them (once the database stages the points), while the file is still there."""

    @pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shapefile"])
    def test_the_same_table_as_read_at_once(self, fmt, tmp_path):
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(frame(standard_rows(7)), fmt, tmp_path))
        whole = read_table(path)
        with opened_table(path) as table:
            assert (table.values, table.complete) == ({}, True)
            assert (table.columns, table.crs, table.format, table.encoding, table.length) == (
                whole.columns,
                whole.crs,
                whole.format,
                whole.encoding,
                whole.length,
            )
            table.read_values()
            assert table.values == whole.values
            assert shapely.equals(table.geometries, whole.geometries).all()
            mapping = suggested(table.columns)
            assert prepare(table, mapping).rows == prepare(whole, mapping).rows

    @pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shapefile"])
    def test_columns_of_every_type_give_the_same_texts(self, fmt, tmp_path):
        # Text columns come from an Arrow read, the others from a second ordinary read: the same texts either
        # way (Arrow alone would give "True" for a boolean with gaps, and a time zone on a timestamp).
        data = frame(standard_rows(4))
        data["code"] = pd.array([38185, None, 1001, 2**40], dtype="Int64")
        data["surface"] = [12.5, np.nan, 3.0, -0.25]
        data["pmr"] = pd.array([True, None, False, True], dtype="boolean")
        data["ouvert"] = pd.array([True, False, False, True], dtype="bool")
        data["depuis"] = [dt.date(2024, 1, 2), None, dt.date(1999, 12, 31), dt.date(2024, 2, 29)]
        data["maj"] = pd.to_datetime(["2024-01-02 10:30", None, "2024-03-04 00:00", "2025-06-30 23:59"])
        data["note"] = ["  espaces  ", None, "\x1cséparateur", ""]
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(data, fmt, tmp_path))
        whole = read_table(path)
        with opened_table(path) as table:
            table.read_values()
        assert table.values == whole.values
        assert whole.values["code"] == ["38185", "", "1001", str(2**40)]
        assert whole.values["note"][:2] == ["espaces", ""]

    @pytest.mark.parametrize(
        ("encoding", "cpg"), [("cp1252", True), ("cp1252", False), ("latin1", False), ("UTF-8", False)]
    )
    def test_a_shapefile_in_any_encoding_gives_the_same_texts(self, encoding, cpg, tmp_path):
        # Without its .cpg, GDAL reads a Shapefile's texts as ISO-8859-1 (a Windows-1252 "Œ" becomes "\x8c";
        # UTF-8 accents become mojibake, refused): the Arrow read gets that encoding, or it would refuse the
        # bytes as invalid UTF-8; with its .cpg, GDAL recodes for both reads.
        data = frame(standard_rows(3))
        data["nom"] = ["Musée Œuvre" if encoding != "latin1" else "Musée", "Église Saint-Étienne", "Besançon"]
        folder = tmp_path / "shp"
        folder.mkdir()
        data.to_file(folder / "equipements.shp", engine="pyogrio", encoding=encoding)
        if not cpg:
            (folder / "equipements.cpg").unlink()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for part in sorted(folder.iterdir()):
                archive.write(part, part.name)
        path = tmp_path / "upload"
        path.write_bytes(buffer.getvalue())
        if encoding == "UTF-8":  # UTF-8 read as ISO-8859-1: refused by both readings
            with pytest.raises(e.EncodingMixed):
                read_table(path)
            with opened_table(path) as table, pytest.raises(e.EncodingMixed):
                table.read_values()
            return
        whole = read_table(path)
        with opened_table(path) as table:
            table.read_values()
        assert table.values == whole.values
        assert whole.values["nom"][1:] == ["Église Saint-Étienne", "Besançon"]

    def test_only_the_columns_asked_for_are_read(self, tmp_path):
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(frame(standard_rows(7)), "gpkg", tmp_path))
        whole = read_table(path)
        with opened_table(path) as table:
            table.read_values(["nom", "identifiant", "absente"])
        assert table.values == {"identifiant": whole.values["identifiant"], "nom": whole.values["nom"]}

    def test_a_csv_is_read_whole_at_once(self, tmp_path):
        path = tmp_path / "upload"
        path.write_bytes(csv_bytes(standard_rows()))
        with opened_table(path) as table:
            assert table.values == read_table(path).values

    def test_the_attributes_are_checked_when_read(self, tmp_path):
        rows = standard_rows(50)
        rows[40]["nom"] = "MusÃ©e"  # UTF-8 read as Windows-1252
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(frame(rows), "gpkg", tmp_path))
        with opened_table(path) as table, pytest.raises(e.EncodingMixed):
            table.read_values()

    def test_once_the_file_is_gone_they_cannot_be_read(self, tmp_path):
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(frame(standard_rows()), "shapefile", tmp_path))
        with opened_table(path) as table:  # a zip: its dataset is extracted for the `with` only
            assert (table.values, table.length) == ({}, 5)
        with pytest.raises(e.FileUnreadable):
            table.read_values()


class TestTheUploadsRead:
    """The upload reads a spatial file's every geometry (bounded, parsed) but only the attributes of the rows
    the text checks look at; the preview reads them all."""

    def test_every_geometry_and_the_checked_rows_attributes(self, tmp_path):
        rows = standard_rows(TEXT_CHECKED_ROWS + 500)
        path = tmp_path / "upload"
        path.write_bytes(to_bytes(frame(rows), "gpkg", tmp_path))
        checked, whole = read_table(path, checks_only=True), read_table(path)
        assert (checked.length, checked.complete, whole.complete) == (len(rows), False, True)
        assert (checked.columns, checked.crs, checked.format) == (whole.columns, whole.crs, whole.format)
        assert all(len(v) == TEXT_CHECKED_ROWS for v in checked.values.values())
        assert checked.values["nom"] == whole.values["nom"][:TEXT_CHECKED_ROWS]
        assert shapely.equals(checked.geometries, whole.geometries).all()
        with pytest.raises(ValueError, match="every row"):
            prepare(checked, suggested(checked.columns))
        assert len(prepare(whole, suggested(whole.columns)).rows) == len(rows)

    def _huge(self, tmp_path):
        angles = np.linspace(0, 2 * np.pi, 1_000_000)
        ring = np.column_stack([5.72 + 0.01 * np.cos(angles), 45.18 + 0.01 * np.sin(angles)])
        return to_bytes(
            gpd.GeoDataFrame({"nom": ["Énorme"]}, geometry=[shapely.Polygon(ring)], crs=4326),
            "gpkg",
            tmp_path,
        )

    def _mojibake(self, tmp_path):
        rows = standard_rows(50)
        rows[40]["nom"] = "MusÃ©e"  # UTF-8 read as Windows-1252
        return to_bytes(frame(rows), "gpkg", tmp_path)

    @pytest.mark.parametrize(
        ("hostile", "refused"),
        [
            ("_huge", e.GeometryTooComplex),
            ("_mojibake", e.EncodingMixed),
            ("no_prj", e.CrsMissing),
            ("truncated", (e.FileUnreadable, e.NoRows)),
        ],
    )
    def test_hostile_spatial_files_are_refused_by_it_too(self, hostile, refused, tmp_path):
        if hostile == "no_prj":
            content = zipped_shapefile(frame(standard_rows()), tmp_path, drop=(".prj",))
        elif hostile == "truncated":
            content = to_bytes(frame(standard_rows()), "gpkg", tmp_path)
            content = content[: len(content) // 3]
        else:
            content = getattr(self, hostile)(tmp_path)
        path = tmp_path / "upload"
        path.write_bytes(content)
        with pytest.raises(refused):
            read_table(path, checks_only=True)


@pytest.mark.parametrize("collapse", [True, False])
def test_a_column_is_tidied_as_value_by_value(collapse):
    """`_tidy` maps str.split/join or str.strip over the column in C; its result is the value-by-value one,
    whatever the spaces (Unicode ones, line breaks, at either end, doubled), in a new list."""
    import random

    from local_offers.imports.rows import _tidy

    pieces = ["a", "é", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2028", "\x1f", "x y", ""]
    rng = random.Random(13)
    for _ in range(300):
        column = ["".join(rng.choices(pieces, k=rng.randint(0, 4))) for _ in range(rng.randint(0, 5))]
        expected = [" ".join(v.split()) for v in column] if collapse else [v.strip() for v in column]
        assert _tidy(column, collapse=collapse) == expected, column
    tidy = ["Musée", "Piscine municipale", ""]
    assert _tidy(tidy, collapse=collapse) == tidy
    assert _tidy(tidy, collapse=collapse) is not tidy


def test_a_spatial_file_s_text_column_is_stripped_as_value_by_value():
    from local_offers.imports.reading import _texts

    pieces = ["a", " ", "\t", "\n", "\u00a0", "x y", ""]
    rng = __import__("random").Random(7)
    for _ in range(300):
        column = [
            None if rng.random() < 0.1 else "".join(rng.choices(pieces, k=rng.randint(0, 4)))
            for _ in range(rng.randint(0, 5))
        ]
        expected = ["" if v is None else v.strip() for v in column]
        assert _texts(np.array(column, dtype=object)) == expected, column


@pytest.mark.parametrize("target", ["website", "email", "phone"])
def test_a_contact_column_is_checked_as_value_by_value(target):
    """`_checked_text` normalises a whole column at once (a phone's punctuation removed from the column
    joined by line breaks, the common valid value accepted by one pattern) and words a problem through
    `_value`; its values and rejections are `_value`'s, value by value, whatever the mix of valid, invalid,
    empty, too long and space-laden values."""
    import random

    from local_offers.imports.rows import _checked_text, _value

    pieces = {
        "website": [
            "https://",
            "http://",
            "www.",
            "mairie",
            ".fr",
            "/page",
            " ",
            "\n",
            "-",
            "<",
            "é",
            "x" * 300,
        ],
        "email": ["accueil", "@", "mairie", ".fr", ".", " ", "\t", "+", "é", "x" * 260],
        "phone": ["04", " ", "74", ".", "-", "(0)", "/", "+33", "\u00a0", "\n", "\r\n", "abc", "1" * 20, ""],
    }[target]
    rng = random.Random(17)
    for _ in range(400):
        column = ["".join(rng.choices(pieces, k=rng.randint(0, 6))) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.5:  # columns valid throughout
            column = [v for v in column if _value(target, v)[1] is None]
        found: dict[int, tuple[str, str]] = {}

        def reject(i: int, code: str, message: str, found: dict[int, tuple[str, str]] = found) -> None:
            found.setdefault(i, (code, message))

        values = _checked_text(target, column, reject)
        expected = [_value(target, v) for v in column]
        assert values == [v if problem is None else None for v, problem in expected], column
        assert found == {i: p for i, (_v, p) in enumerate(expected) if p is not None}, column


class TestPointsReadAsNumbers:
    """A file whose every geometry is a point with finite coordinates is read as numbers (no geometry object
    made: `Table.points`); what `prepare` makes of it is what it makes of the same geometries parsed."""

    @staticmethod
    def both_ways(table):
        from dataclasses import replace

        mapping = suggested(table.columns)
        parsed = replace(table, points=None, _parsed=None)
        assert parsed.geometries is not None  # made from the WKB now
        return prepare(table, mapping), prepare(parsed, mapping)

    @pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shapefile"])
    def test_points_give_the_same_rows_as_geometries(self, fmt, tmp_path):
        rows = standard_rows(40)
        rows[3]["lon"], rows[3]["lat"] = -20.0, 45.0  # far out in the Atlantic: rejected the same way
        table = read(to_bytes(frame(rows), fmt, tmp_path), tmp_path)
        assert table.points is not None
        assert table._parsed is None
        fast, parsed = self.both_ways(table)
        assert fast.columns == parsed.columns
        assert (fast.rejections, fast.merged) == (parsed.rejections, parsed.merged)
        assert [r.row for r in fast.rejections] == [table.row_number(3)]

    def test_any_other_geometry_is_parsed_as_before(self, tmp_path):
        rows = standard_rows(6)
        data = frame(rows)
        data.loc[1, "geometry"] = shapely.box(900_000, 6_450_000, 901_000, 6_451_000)  # a polygon
        data.loc[2, "geometry"] = None  # missing
        table = read(to_bytes(data, "gpkg", tmp_path), tmp_path)
        assert table.points is None
        assert table._parsed is not None
        result = prepare(table, suggested(table.columns))
        assert [(r.row, r.code) for r in result.rejections] == [(table.row_number(2), "geometry_missing")]
        assert len(result.rows) == 5

    def test_a_point_without_finite_coordinates_is_parsed(self, tmp_path):
        from local_offers.imports.reading import _finite_points

        good = shapely.to_wkb(np.array([shapely.Point(1, 2), shapely.Point(3, 4)]), output_dimension=2)
        sizes = np.array([len(w) for w in good])
        points = _finite_points(good, sizes)
        assert points is not None
        assert (points[0].tolist(), points[1].tolist()) == ([1.0, 3.0], [2.0, 4.0])
        empty = shapely.to_wkb(np.array([shapely.Point(1, 2), shapely.Point()]), output_dimension=2)
        assert _finite_points(empty, np.array([len(w) for w in empty])) is None
        big_endian = shapely.to_wkb(np.array([shapely.Point(1, 2)]), byte_order=0)
        assert _finite_points(big_endian, np.array([len(w) for w in big_endian])) is None
        line = shapely.to_wkb(np.array([shapely.LineString([(0, 0), (1, 1)])]))
        assert _finite_points(line, np.array([len(w) for w in line])) is None
