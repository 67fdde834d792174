"""Writes `equipements_lambert93.gpkg`: facilities as a collectivité publishes them, in Lambert-93 (EPSG:2154),
placed near real town halls of the Ain (the demo correspondent's département) from `geo/data/communes.csv.gz`,
with French column names and labels, and four rows made wrong on purpose (at sea, no name, an unknown
category, a website that is not one) so the import's preview shows rejections.

    .venv/bin/python local_offers/samples/make_sample.py            # the sample, 40 rows
    .venv/bin/python local_offers/samples/make_sample.py --rows 100000 --out /tmp/bench.gpkg   # whole France

`frame()` is what the benchmark uses for its 100,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[2]
COMMUNES = ROOT / "geo" / "data" / "communes.csv.gz"
OUT = Path(__file__).resolve().parent / "equipements_lambert93.gpkg"
KINDS = [
    ("Musée", "Musée {}"),
    ("Piscines", "Piscine municipale de {}"),
    ("Médiathèque", "Médiathèque de {}"),
    ("Cinéma", "Cinéma de {}"),
    ("Salle de spectacle", "Espace culturel de {}"),
    ("Gymnase", "Gymnase de {}"),
    ("Centre de vacances", "Centre de vacances de {}"),
    ("Camping", "Camping municipal de {}"),
    ("Monument historique", "Château de {}"),
    ("Base de loisirs", "Base de loisirs de {}"),
]


def communes(departement: str | None) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with gzip.open(COMMUNES, "rt", encoding="utf-8", newline="") as handle:
        rows = [
            {k: v for k, v in row.items() if k != "geom"}
            for row in csv.DictReader(handle)
            if departement is None or row["departement"] == departement
        ]
    # Metropolitan communes only: Lambert-93 covers metropolitan France.
    return [r for r in rows if len(r["departement"]) == 2 and -5.5 < float(r["lon"]) < 9.8]


def frame(rows: int, *, seed: int = 13, departement: str | None = None) -> gpd.GeoDataFrame:
    """`rows` facilities within ~200 m of real town halls, in Lambert-93."""
    rng = random.Random(seed)  # noqa: S311  (sample data, not secrets)
    places = communes(departement)
    records = []
    for i in range(rows):
        place = places[i % len(places)] if rows <= len(places) else rng.choice(places)
        label, pattern = KINDS[i % len(KINDS)]
        lon = float(place["lon"]) + rng.uniform(-0.002, 0.002)
        lat = float(place["lat"]) + rng.uniform(-0.0015, 0.0015)
        records.append(
            {
                "identifiant": f"EQ-{place['code']}-{i:06d}",
                "libelle": pattern.format(place["name"]) + (f" {i}" if rows > len(places) else ""),
                "categorie": label,
                "adresse": f"{rng.randint(1, 40)} place de la Mairie, {place['postal_codes'].split(' ')[0]} {place['name']}",
                "code_insee": place["code"],
                "site_web": f"www.{place['code']}.example.fr",
                "telephone": f"04 74 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "courriel": f"accueil-{i}@{place['code']}.example.fr",
                "acces_pmr": rng.choice(["oui", "non"]),
                "lon": lon,
                "lat": lat,
            }
        )
    data = gpd.GeoDataFrame(
        records, geometry=shapely.points([r["lon"] for r in records], [r["lat"] for r in records]), crs=4326
    ).drop(columns=["lon", "lat"])
    return data.to_crs(2154)


def sample() -> gpd.GeoDataFrame:
    data = frame(40, departement="01")
    # Rows wrong on purpose: what the preview explains.
    sea = gpd.GeoSeries([shapely.Point(-3.2, 47.0)], crs=4326).to_crs(2154)  # Bay of Biscay
    data.loc[5, "geometry"] = sea.iloc[0]
    data.loc[5, "libelle"] = "Phare du large"
    data.loc[12, "libelle"] = ""
    data.loc[19, "categorie"] = "Déchetterie"
    data.loc[26, "site_web"] = "pas un site"
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=0, help="rows across metropolitan France (default: the sample)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = frame(args.rows) if args.rows else sample()
    args.out.unlink(missing_ok=True)
    data.to_file(args.out, layer="equipements", driver="GPKG", engine="pyogrio")
    print(f"{args.out}: {len(data)} rows, EPSG:{data.crs.to_epsg()}")


if __name__ == "__main__":
    main()
