"""The wizard's forms: the file, the mapping (one select per field, the columns of the file), the confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from local_offers.imports.mapping import COORDINATES, FIELDS, REQUIRED
from local_offers.imports.models import FacilityImport

CRS_CHOICES = [
    (2154, _("Lambert-93 (EPSG:2154)")),
    (4326, _("Longitude / latitude WGS 84 (EPSG:4326)")),
    (3857, _("Web Mercator (EPSG:3857)")),
    (27572, _("Lambert II étendu (EPSG:27572)")),
    (3948, _("Lambert CC48 (EPSG:3948)")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "CSV, GeoJSON, GeoPackage ou Shapefile zippé (avec son .prj), dans tout système de coordonnées."
        ),
    )


class MappingForm(forms.Form):
    """One select per facility field; for a CSV, the CRS of the x/y columns."""

    def __init__(self, *args: Any, record: FacilityImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spatial = record.format != "csv"
        choices = [("", _("— aucune —")), *((c, c) for c in record.columns)]
        for name, label in FIELDS.items():
            if self.spatial and name in COORDINATES:
                continue
            self.fields[f"map_{name}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=record.mapping.get(name, ""),
                help_text=_("Obligatoire")
                if name in REQUIRED or (not self.spatial and name in COORDINATES)
                else "",
            )
        if not self.spatial:
            self.fields["crs"] = forms.TypedChoiceField(
                label=_("Système de coordonnées des colonnes x/y"),
                choices=[("", _("— à choisir —")), *CRS_CHOICES],
                coerce=int,
                required=False,
                initial=record.crs or "",
            )

    def mapping(self) -> dict[str, str]:
        return {k.removeprefix("map_"): v for k, v in self.cleaned_data.items() if k.startswith("map_") and v}


class ConfirmForm(forms.Form):
    publish = forms.BooleanField(
        label=_("Publier tout de suite les équipements créés (sinon : brouillons à relire)"), required=False
    )
