"""Files as collectivités publish them, built in the test (every format, CRS and hostile shape), and the
people of the import: the employer's correspondent and everybody else."""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation

# Points inside real communes of the Grenoble area (Isère), lon/lat.
PLACES = [
    (5.7263, 45.1885),
    (5.7200, 45.1450),
    (5.7800, 45.2100),
    (5.7650, 45.1700),
    (5.6900, 45.1900),
]
AT_SEA = (-3.2, 47.0)  # Bay of Biscay


def frame(rows: list[dict], crs: int = 2154) -> gpd.GeoDataFrame:
    """rows: dicts with lon/lat and the attribute columns, reprojected to `crs`."""
    points = shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows])
    attributes = [{k: v for k, v in r.items() if k not in ("lon", "lat")} for r in rows]
    return gpd.GeoDataFrame(attributes, geometry=points, crs=4326).to_crs(crs)


def standard_rows(count: int = 5) -> list[dict]:
    kinds = ["Musée", "Piscines", "Médiathèque", "Cinéma", "Gymnase"]
    return [
        {
            "identifiant": f"EQ-{i}",
            "nom": f"Équipement {i}",
            "categorie": kinds[i % len(kinds)],
            "adresse": f"{i} rue de la République, Grenoble",
            "lon": PLACES[i % len(PLACES)][0] + 0.001 * (i // len(PLACES)),
            "lat": PLACES[i % len(PLACES)][1],
        }
        for i in range(count)
    ]


def to_bytes(data: gpd.GeoDataFrame, fmt: str, tmp_path: Path) -> bytes:
    if fmt == "gpkg":
        path = tmp_path / "f.gpkg"
        data.to_file(path, driver="GPKG", layer="equipements", engine="pyogrio")
        return path.read_bytes()
    if fmt == "geojson":
        path = tmp_path / "f.geojson"
        data.to_file(path, driver="GeoJSON", engine="pyogrio")
        return path.read_bytes()
    if fmt == "shapefile":
        return zipped_shapefile(data, tmp_path)
    raise ValueError(fmt)


def zipped_shapefile(data: gpd.GeoDataFrame, tmp_path: Path, *, drop: tuple[str, ...] = ()) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    data.to_file(folder / "equipements.shp", engine="pyogrio", encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            if part.suffix not in drop:
                archive.write(part, part.name)
    return buffer.getvalue()


def csv_bytes(
    rows: list[dict],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    decimal_comma: bool = True,
    x: str = "lon",
    y: str = "lat",
    crs: int = 4326,
) -> bytes:
    data = frame(rows, crs=crs)
    columns = [c for c in rows[0] if c not in ("lon", "lat")]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow([*columns, x, y])
    for (_, record), point in zip(data.iterrows(), data.geometry, strict=True):
        coords = [f"{point.x:.6f}", f"{point.y:.6f}"] if crs == 4326 else [f"{point.x:.2f}", f"{point.y:.2f}"]
        if decimal_comma:
            coords = [c.replace(".", ",") for c in coords]
        writer.writerow([*(str(record[c]) for c in columns), *coords])
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str = "equipements.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass
class People:
    organisation: Organisation
    correspondent: User
    others: dict[str, User]  # every other kind of actor: a 404 on every route


@pytest.fixture
def people(world, territories) -> People:
    return People(
        organisation=world.organisation,
        correspondent=world.correspondent,
        others={
            "other_correspondent": world.other_correspondent,
            "officer": world.officer,
            "agent": world.agent,
            "stranger": world.stranger,
            "admin": world.admin,
        },
    )
