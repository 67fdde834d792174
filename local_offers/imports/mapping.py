"""Which column of the file feeds which field of a facility: French synonyms recognised, the organisation's
last mapping reused, categories normalised (labels, accents, plurals)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

from local_offers.models import FacilityCategory

# Target fields, in the order the mapping step shows them. x/y only for a CSV (spatial files carry geometry).
FIELDS: dict[str, Any] = {
    "name": _("Nom"),
    "category": _("Catégorie"),
    "external_id": _("Identifiant"),
    "address": _("Adresse"),
    "description": _("Description"),
    "website": _("Site web"),
    "phone": _("Téléphone"),
    "email": _("Courriel"),
    "access_motor": _("Accessible handicap moteur"),
    "access_visual": _("Accessible handicap visuel"),
    "access_hearing": _("Accessible handicap auditif"),
    "access_mental": _("Accessible handicap mental"),
    "x": _("Longitude ou X"),
    "y": _("Latitude ou Y"),
}
REQUIRED = ("name",)
COORDINATES = ("x", "y")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "nom",
        "name",
        "libelle",
        "libelle equipement",
        "nom equipement",
        "nom du site",
        "denomination",
        "intitule",
        "appellation",
        "nom usuel",
        "nom site",
        "titre",
        "nom etablissement",
    ),
    "category": (
        "categorie",
        "category",
        "type",
        "type equipement",
        "famille",
        "nature",
        "typologie",
        "type de lieu",
        "thematique",
    ),
    "external_id": (
        "identifiant",
        "id",
        "code",
        "ref",
        "reference",
        "id equipement",
        "identifiant equipement",
        "code equipement",
        "uid",
        "objectid",
        "fid local",
        "id local",
    ),
    "address": ("adresse", "address", "adresse postale", "adr", "voie", "adresse complete", "localisation"),
    "description": ("description", "descriptif", "presentation", "commentaire", "observations", "infos"),
    "website": ("site web", "site", "site internet", "url", "web", "website", "lien"),
    "phone": ("telephone", "tel", "phone", "numero de telephone", "contact tel", "tel contact"),
    "email": ("courriel", "email", "e mail", "mail", "adresse mail", "adresse electronique", "contact mail"),
    "access_motor": (
        "acces pmr",
        "pmr",
        "accessible pmr",
        "handicap moteur",
        "accessibilite moteur",
        "access motor",
    ),
    "access_visual": ("handicap visuel", "accessibilite visuelle", "access visual"),
    "access_hearing": ("handicap auditif", "accessibilite auditive", "access hearing"),
    "access_mental": ("handicap mental", "accessibilite mentale", "access mental"),
    "x": (
        "x",
        "lon",
        "long",
        "lng",
        "longitude",
        "coord x",
        "coordonnee x",
        "x l93",
        "x lambert93",
        "xcoord",
        "x wgs84",
        "lambert x",
    ),
    "y": (
        "y",
        "lat",
        "latitude",
        "coord y",
        "coordonnee y",
        "y l93",
        "y lambert93",
        "ycoord",
        "y wgs84",
        "lambert y",
    ),
}


def simplified(text: str) -> str:
    """Lower case, no accents, words split on anything not a letter or digit, plurals made singular."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.split(r"[^a-z0-9]+", text.replace("œ", "oe"))
    return " ".join(_singular(w) for w in words if w)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("eaux"):
        return word[:-1]  # châteaux → chateau
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


_SYNONYM_INDEX = {simplified(s): target for target, words in SYNONYMS.items() for s in words}


def suggested(columns: list[str], *, remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Target field → source column: the organisation's last mapping where its columns are in this file,
    then the synonyms."""
    mapping: dict[str, str] = {}
    present = set(columns)
    for target, column in (remembered or {}).items():
        if target in FIELDS and column in present:
            mapping[target] = column
    taken = set(mapping.values())
    for column in columns:
        found = _SYNONYM_INDEX.get(simplified(column)) or _truncated(column)
        if found and found not in mapping and column not in taken:
            mapping[found] = column
            taken.add(column)
    return mapping


def _truncated(column: str) -> str | None:
    """A Shapefile cuts field names at 10 characters ("identifiant" → "identifian"): the synonym it began."""
    if len(column) != 10:
        return None
    key = simplified(column)
    found = {target for word, target in _SYNONYM_INDEX.items() if word.startswith(key)}
    return found.pop() if len(found) == 1 else None


# ---- Categories ----------------------------------------------------------------------------------------

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    FacilityCategory.MUSEUM: ("musee", "museum", "ecomusee", "maison musee", "musee de france", "museum"),
    FacilityCategory.HERITAGE: (
        "patrimoine",
        "site patrimonial",
        "monument",
        "monument historique",
        "chateau",
        "abbaye",
        "site historique",
        "heritage",
        "fort",
        "citadelle",
        "site",
    ),
    FacilityCategory.LIBRARY: (
        "bibliotheque",
        "mediatheque",
        "library",
        "bibliotheque mediatheque",
        "ludotheque",
        "bibliotheque municipale",
    ),
    FacilityCategory.CINEMA: ("cinema", "salle de cinema", "cine"),
    FacilityCategory.PERFORMANCE: (
        "theatre",
        "salle de concert",
        "salle de spectacle",
        "spectacle",
        "concert",
        "opera",
        "auditorium",
        "theatre salle de concert",
        "scene",
        "performance",
    ),
    FacilityCategory.POOL: (
        "piscine",
        "centre aquatique",
        "complexe aquatique",
        "bassin",
        "pool",
        "piscine municipale",
        "espace aquatique",
    ),
    FacilityCategory.SPORTS: (
        "equipement sportif",
        "sport",
        "gymnase",
        "stade",
        "salle de sport",
        "complexe sportif",
        "terrain de sport",
        "patinoire",
        "tennis",
        "sports",
        "salle omnisport",
        "dojo",
    ),
    FacilityCategory.LEISURE_PARK: (
        "parc de loisir",
        "base de loisir",
        "parc d attraction",
        "leisure park",
        "parc",
        "loisir",
    ),
    FacilityCategory.ZOO: ("zoo", "aquarium", "parc animalier", "zoo aquarium", "parc zoologique"),
    FacilityCategory.HOLIDAY_CENTRE: (
        "centre de vacance",
        "village vacance",
        "colonie de vacance",
        "holiday centre",
        "centre de sejour",
        "gite de groupe",
    ),
    FacilityCategory.CAMPSITE: ("camping", "aire de camping", "campsite", "terrain de camping"),
    FacilityCategory.OTHER: ("autre", "other", "divers"),
}


def _category_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for category in FacilityCategory:
        index[simplified(category.value)] = category.value
        with _french():
            index[simplified(str(category.label))] = category.value
    for code, words in CATEGORY_WORDS.items():
        for word in words:
            index[simplified(word)] = str(code)
    return index


def _french() -> Any:
    from django.utils import translation

    return translation.override("fr")


_CATEGORIES: dict[str, str] | None = None


def category_of(value: str) -> str | None:
    """The model's category for a label as files write it ("Musées", "PISCINE", "Médiathèque"); "other"
    when the cell is empty; None when the label is not recognised (the row is then rejected)."""
    global _CATEGORIES  # built once, on first use: labels need the translation machinery
    if _CATEGORIES is None:
        _CATEGORIES = _category_index()
    key = simplified(value)
    if not key:
        return FacilityCategory.OTHER.value
    return _CATEGORIES.get(key)
