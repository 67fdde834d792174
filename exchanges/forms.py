"""The forms of the home pages: the map search (the same parameters as the API: HomeSearchFilter decides what
they mean), the owner's home, availability and destination wishes, saved searches."""

import json
import math
import re
from typing import Any

from django import forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exchanges.models import Accessibility, Amenity, AvailabilityMode, HomeKind
from exchanges.services import MAX_WISH_TERRITORIES, MAX_WISH_VERTICES
from geo.models import Commune, Departement, Region
from geo.selectors import commune_from_label
from marketplace import inputs

_COMMUNE_CODE = re.compile(r"^\d[\dAB]\d{3}$")
# A drawn area of MAX_WISH_VERTICES vertices is about 50 000 characters of GeoJSON: twice that, then refused.
AREA_MAX_CHARS = 100_000
_UNKNOWN_COMMUNE = _(
    "Commune introuvable : choisissez-la dans la liste (nom et département), ou tapez son code INSEE."
)


class SearchForm(forms.Form):
    """Rendered on the page only; the values are read and checked by HomeSearchFilter, as for the API."""

    start = forms.DateField(
        label=_("Arrivée"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("Départ"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    flexibility = forms.IntegerField(
        label=_("Souplesse (± jours)"), required=False, min_value=0, max_value=30
    )
    guests = forms.IntegerField(label=_("Voyageurs"), required=False, min_value=1, max_value=30)
    region = forms.ChoiceField(label=_("Région"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous")), *HomeKind.choices])
    amenities = forms.MultipleChoiceField(
        label=_("Équipements"), required=False, choices=Amenity.choices, widget=forms.CheckboxSelectMultiple
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibilité"),
        required=False,
        choices=Accessibility.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    wants_to_come_to = forms.ChoiceField(
        label=_("Qui veut venir chez moi ?"),
        required=False,
        choices=[("", _("Peu importe")), ("mine", _("Seulement les agents qui souhaitent venir chez moi"))],
    )
    solidarity = forms.BooleanField(
        label=_("Accepte les nuits solidaires"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "true"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        regions = Region.objects.order_by("name").values_list("code", "name")
        self.fields["region"].choices = [("", _("Toutes")), *regions]  # type: ignore[attr-defined]


class HomeForm(forms.Form):
    """The owner's form: the same rules as the API (marketplace.inputs), the service decides the rest."""

    title = inputs.TextField(label=_("Titre"), min_length=3, max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=HomeKind.choices)
    sleeps = forms.IntegerField(label=_("Couchages"), min_value=1, max_value=30)
    bedrooms = forms.IntegerField(label=_("Chambres"), min_value=0, max_value=30, initial=1)
    surface_m2 = forms.IntegerField(label=_("Surface (m²)"), min_value=5, max_value=5000, required=False)
    description = inputs.MultilineTextField(label=_("Description"), max_length=5000, required=False)
    amenities = forms.MultipleChoiceField(
        label=_("Équipements"), required=False, choices=Amenity.choices, widget=forms.CheckboxSelectMultiple
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibilité"),
        required=False,
        choices=Accessibility.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pets_allowed = forms.BooleanField(label=_("Animaux acceptés"), required=False)
    smoking_allowed = forms.BooleanField(label=_("Fumeurs acceptés"), required=False)
    address = inputs.TextField(
        label=_("Adresse (jamais montrée : seul un point décalé de quelques centaines de mètres l'est)"),
        min_length=3,
        max_length=300,
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        help_text=_("Cliquez sur la carte pour la remplir."),
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Du (jour d'arrivée)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Au (jour du départ, exclu)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(label=_("Pour"), choices=AvailabilityMode.choices)


class CommuneCodesField(forms.Field):
    """Commune codes posted one per value (the picker's checkboxes); the service says which are unknown."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("Code de commune invalide : %(code)s (le code INSEE a 5 caractères)."),
        "too_many": _("Au plus %(n)s communes."),
    }

    def to_python(self, value: object) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        codes = list(dict.fromkeys(str(v).strip().upper() for v in values if str(v).strip()))
        if len(codes) > MAX_WISH_TERRITORIES:
            raise ValidationError(self.error_messages["too_many"], params={"n": MAX_WISH_TERRITORIES})
        for code in codes:
            if not _COMMUNE_CODE.match(code):
                raise ValidationError(self.error_messages["invalid"], params={"code": code[:12]})
        return codes


class GeoJSONField(forms.CharField):
    """A drawn shape as GeoJSON text (a hidden field the map fills), parsed; the service checks the shape."""

    widget = forms.HiddenInput

    def clean(self, value: object) -> dict[str, Any] | None:
        if isinstance(value, str) and len(value) > AREA_MAX_CHARS:
            raise ValidationError(
                _("Zone trop détaillée : au plus %(n)s sommets."),
                code="max_length",
                params={"n": MAX_WISH_VERTICES},
            )
        text = super().clean(value)
        if not text:
            return None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deeper than Python goes
            data = None
        if not isinstance(data, dict):
            raise ValidationError(
                _("Zone illisible : le tracé n'est pas un polygone GeoJSON."), code="invalid"
            )
        return data


class LonLatField(forms.CharField):
    """A point as "longitude,latitude" (a hidden field the map fills)."""

    widget = forms.HiddenInput

    def clean(self, value: object) -> tuple[float, float] | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            lon, lat = (float(part) for part in text.split(","))
        except ValueError:
            lon = lat = math.nan
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _(
                    "Centre illisible : « longitude,latitude » attendu (longitude de -180 à 180, latitude de -90 à 90)."
                ),
                code="invalid",
            )
        return lon, lat


Territories = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def territory_choices() -> Territories:
    """(régions, départements) as choices: by name, and by code with the name."""
    regions = list(Region.objects.order_by("name").values_list("code", "name"))
    departements = [
        (code, f"{code} {name}")
        for code, name in Departement.objects.order_by("code").values_list("code", "name")
    ]
    return regions, departements


class WishForm(forms.Form):
    """Where the owner wishes to go: territories, communes, a drawn area, a circle (centre clicked on the map
    or a commune, and a radius in km), with dates and party. Its cleaned data are the arguments of
    services.wish_add, which checks the places (unknown codes, shape, size) as for the API."""

    regions = forms.MultipleChoiceField(label=_("Régions"), required=False)
    departements = forms.MultipleChoiceField(label=_("Départements"), required=False)
    communes = CommuneCodesField(label=_("Communes choisies"), required=False)
    commune_search = forms.CharField(
        label=_("Ajouter une commune"),
        required=False,
        max_length=120,
        help_text=_("Tapez son nom puis choisissez-la dans la liste, ou son code INSEE."),
    )
    area = GeoJSONField(label=_("Zone dessinée"), required=False)
    center = LonLatField(label=_("Centre du cercle"), required=False)
    center_commune = forms.CharField(
        label=_("Centre du cercle : une commune"),
        required=False,
        max_length=120,
        help_text=_("Ou cliquez sur la carte en mode « cercle »."),
    )
    radius_km = forms.FloatField(
        label=_("Rayon du cercle (km)"),
        required=False,
        min_value=0.1,
        max_value=200,
        initial=20,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        error_messages={
            "min_value": _("Rayon entre 0,1 km (100 m) et 200 km."),
            "max_value": _("Rayon entre 0,1 km (100 m) et 200 km."),
        },
    )
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    flexibility_days = forms.IntegerField(
        label=_("Souplesse (± jours)"), min_value=0, max_value=30, initial=0
    )
    adults = forms.IntegerField(label=_("Adultes"), min_value=1, max_value=20, initial=2)
    children = forms.IntegerField(label=_("Enfants"), min_value=0, max_value=20, initial=0)

    # The service's argument → the field of this form its refusal belongs to (marketplace.web.form_action).
    service_fields = {"center_lon": "center", "center_lat": "center", "radius_m": "radius_km"}

    def __init__(self, *args: Any, territories: Territories | None = None, **kwargs: Any) -> None:
        """`territories`: the choices of régions and départements, read once for a page of several forms."""
        super().__init__(*args, **kwargs)
        regions, departements = territories or territory_choices()
        self.fields["regions"].choices = regions  # type: ignore[attr-defined]
        self.fields["departements"].choices = departements  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        communes = list(data.get("communes") or [])
        typed = data.get("commune_search")
        if typed:
            commune = commune_from_label(typed)
            if commune is None:
                self.add_error("commune_search", _UNKNOWN_COMMUNE)
            elif commune.code not in communes:
                communes.append(commune.code)
        center = data.get("center")
        if center is None and data.get("center_commune"):
            commune = commune_from_label(data["center_commune"])
            if commune is None:
                self.add_error("center_commune", _UNKNOWN_COMMUNE)
            else:
                center = (commune.point.x, commune.point.y)
        radius_km = data.get("radius_km")
        if center is not None and radius_km is None and "radius_km" not in self.errors:
            self.add_error("radius_km", _("Indiquez le rayon du cercle, en kilomètres."))
        circle = center is not None and radius_km is not None
        return {
            "regions": data.get("regions", []),
            "departements": data.get("departements", []),
            "communes": communes,
            "area": data.get("area"),
            "center_lon": center[0] if circle and center else None,
            "center_lat": center[1] if circle and center else None,
            "radius_m": round(radius_km * 1000) if circle and radius_km is not None else None,
            **{name: data.get(name) for name in ("start", "end", "flexibility_days", "adults", "children")},
        }

    def chosen_communes(self) -> list[tuple[str, str]]:
        """(code, label) of the communes the picker holds, for the page to show them again after a refusal."""
        codes = [c for c in self["communes"].value() or [] if isinstance(c, str)][:MAX_WISH_TERRITORIES]
        names = {c.code: str(c) for c in Commune.objects.filter(code__in=[c.strip().upper() for c in codes])}
        return [(code, names.get(code.strip().upper(), code)) for code in codes]

    def area_repaired(self) -> bool:
        """Whether the drawn area crossed itself (the service then repairs it): worth telling the owner."""
        area = self.cleaned_data.get("area") if hasattr(self, "cleaned_data") else None
        if not area:
            return False
        try:
            return not GEOSGeometry(json.dumps(area), srid=4326).valid
        except (GEOSException, GDALException, ValueError, TypeError):
            return False


class SavedSearchForm(forms.Form):
    name = inputs.TextField(label=_("Nom de la recherche"), min_length=1, max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    alerts = forms.BooleanField(
        label=_("M'avertir par e-mail des nouveaux logements"), required=False, initial=True
    )
