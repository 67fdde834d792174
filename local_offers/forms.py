"""The forms of the local-offers pages: the offers map's filters (read by FacilitySearchFilter, as the API) and
the correspondent's editor (the same rules as the API, `marketplace.inputs`; the services decide the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from local_offers.models import ACCESSIBILITY_FLAGS, Facility, FacilityCategory, Weekday
from local_offers.services import clean_website
from marketplace import inputs

RADII_KM = (5, 10, 20, 50, 100)
HOURS_PER_DAY = 2  # morning and afternoon, for a new facility
MAX_HOURS_PER_DAY = 6  # as the API (services.MAX_HOURS_RANGES over seven days)
EXTRA_CLOSURES = 2
ACCESSIBILITY_CHOICES = [(flag.removeprefix("access_"), label) for flag, label in ACCESSIBILITY_FLAGS.items()]


class OfferSearchForm(forms.Form):
    """Rendered on the offers map; the view turns `place` and `radius_km` into the FilterSet's near/radius."""

    place = forms.CharField(
        label=_("Près de (commune)"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"list": "commune-options", "autocomplete": "off"}),
    )
    radius_km = forms.TypedChoiceField(
        label=_("Dans un rayon de"),
        required=False,
        coerce=int,
        choices=[(r, _("%(n)d km") % {"n": r}) for r in RADII_KM],
        initial=20,
    )
    category = forms.ChoiceField(
        label=_("Catégorie"), required=False, choices=[("", _("Toutes")), *FacilityCategory.choices]
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Accessible en cas de"),
        required=False,
        choices=ACCESSIBILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    open_on = forms.DateField(
        label=_("Ouvert le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    with_benefit = forms.BooleanField(label=_("Avec un avantage conventionné aujourd'hui"), required=False)


class WebsiteField(inputs._CleanedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.URLInput())
        super().__init__(clean=clean_website, max_length=300, **kwargs)


class FacilityForm(forms.Form):
    """The facility, its place (a pin on the map fills lon/lat), its weekly hours (two ranges a day) and its
    exceptional closures (the last day included, as people say it). A day shows as many ranges as the busiest
    day of the facility has, plus an empty one (`hours_per_day`, from `hour_slots`), so that saving the page
    never drops a range set through the API or an import. Closing at 00:00 means midnight, the end of the day
    (a time input cannot hold 24:00)."""

    name = inputs.NameField(label=_("Nom"), min_length=2, max_length=200)
    category = forms.ChoiceField(label=_("Catégorie"), choices=FacilityCategory.choices)
    structure_id = forms.TypedChoiceField(
        label=_("Géré par une structure subventionnée"), required=False, coerce=int, empty_value=None
    )
    description = inputs.MultilineTextField(label=_("Description"), max_length=5000, required=False)
    address = inputs.TextField(label=_("Adresse"), max_length=300, required=False)
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        help_text=_("Cliquez sur la carte pour la remplir."),
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    access_motor = forms.BooleanField(label=_("Handicap moteur"), required=False)
    access_visual = forms.BooleanField(label=_("Handicap visuel"), required=False)
    access_hearing = forms.BooleanField(label=_("Handicap auditif"), required=False)
    access_mental = forms.BooleanField(label=_("Handicap mental"), required=False)
    accessibility_note = inputs.MultilineTextField(
        label=_("Accessibilité : précisions"), max_length=2000, required=False
    )
    website = WebsiteField(label=_("Site web"), required=False)
    phone = inputs.PhoneField(label=_("Téléphone"), required=False)
    email = inputs.EmailField(label=_("E-mail"), required=False)
    external_id = inputs.TextField(label=_("Identifiant dans votre fichier"), max_length=100, required=False)

    def __init__(
        self,
        *args: Any,
        structures: list[tuple[int, str]],
        closures_count: int = 0,
        hours_per_day: int = HOURS_PER_DAY,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.hours_per_day = max(HOURS_PER_DAY, min(MAX_HOURS_PER_DAY, hours_per_day))
        self.fields["structure_id"].choices = [("", _("Non : l'employeur lui-même")), *structures]  # type: ignore[attr-defined]
        self.days: list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]] = []
        for day in Weekday:
            for k in range(self.hours_per_day):
                for end in ("opens", "closes"):
                    label = (
                        _("%(day)s, plage %(n)d : ouverture")
                        if end == "opens"
                        else _("%(day)s, plage %(n)d : fermeture")
                    ) % {
                        "day": day.label,
                        "n": k + 1,
                    }
                    self.fields[f"h{day.value}_{k}_{end}"] = forms.TimeField(
                        label=label,
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )
        self.closures_count = closures_count + EXTRA_CLOSURES
        for i in range(self.closures_count):
            self.fields[f"c{i}_start"] = forms.DateField(
                label=_("Fermeture %(n)d : du") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"c{i}_last"] = forms.DateField(
                label=_("Fermeture %(n)d : au (inclus)") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"c{i}_reason"] = inputs.TextField(
                label=_("Fermeture %(n)d : motif") % {"n": i + 1}, max_length=200, required=False
            )
        self.service_fields: dict[str, str] = {}

    def hour_headers(self) -> list[str]:
        named = [str(_("Matin ou journée")), str(_("Après-midi"))]
        return [
            named[k] if k < len(named) else str(_("Plage %(n)d") % {"n": k + 1})
            for k in range(self.hours_per_day)
        ]

    def hour_rows(self) -> list[tuple[Any, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (
                day.label,
                [
                    (self[f"h{day.value}_{k}_opens"], self[f"h{day.value}_{k}_closes"])
                    for k in range(self.hours_per_day)
                ],
            )
            for day in Weekday
        ]

    def closure_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"c{i}_start"], self[f"c{i}_last"], self[f"c{i}_reason"])
            for i in range(self.closures_count)
        ]

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the services take it; `service_fields` maps their field names back to ours."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            name: data[name]
            for name in (
                "name",
                "category",
                "structure_id",
                "description",
                "address",
                "lon",
                "lat",
                *ACCESSIBILITY_FLAGS,
                "accessibility_note",
                "website",
                "phone",
                "email",
                "external_id",
            )
        }
        hours: list[dict[str, Any]] = []
        for day in Weekday:
            for k in range(self.hours_per_day):
                opens, closes = data.get(f"h{day.value}_{k}_opens"), data.get(f"h{day.value}_{k}_closes")
                if opens is None and closes is None:
                    continue
                index = len(hours)
                self.service_fields[f"opening_hours.{index}.opens"] = f"h{day.value}_{k}_opens"
                self.service_fields[f"opening_hours.{index}.closes"] = f"h{day.value}_{k}_closes"
                self.service_fields[f"opening_hours.{index}"] = f"h{day.value}_{k}_opens"
                closing = (
                    "24:00" if closes == dt.time(0, 0) else _clock(closes)
                )  # 00:00: midnight, end of the day
                hours.append({"weekday": day.value, "opens": _clock(opens), "closes": closing})
        closures: list[dict[str, Any]] = []
        for i in range(self.closures_count):
            start, last = data.get(f"c{i}_start"), data.get(f"c{i}_last")
            if start is None and last is None:
                continue
            index = len(closures)
            self.service_fields[f"closures.{index}.start"] = f"c{i}_start"
            self.service_fields[f"closures.{index}.end"] = f"c{i}_last"
            self.service_fields[f"closures.{index}"] = f"c{i}_start"
            closures.append(
                {
                    "start": start,
                    "end": last + dt.timedelta(days=1) if last else None,
                    "reason": data.get(f"c{i}_reason", ""),
                }
            )
        return {**fields, "opening_hours": hours, "closures": closures}


def _clock(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def facility_initial(facility: Facility) -> dict[str, Any]:
    """The editor's values for an existing facility (hours and closures spread over the grid)."""
    initial: dict[str, Any] = {
        "name": facility.name,
        "category": facility.category,
        "structure_id": facility.structure_id,
        "description": facility.description,
        "address": facility.address,
        "lon": round(facility.location.x, 6),
        "lat": round(facility.location.y, 6),
        "accessibility_note": facility.accessibility_note,
        "website": facility.website,
        "phone": facility.phone,
        "email": facility.email,
        "external_id": facility.external_id,
        **{flag: getattr(facility, flag) for flag in ACCESSIBILITY_FLAGS},
    }
    used: dict[int, int] = {}
    for hours in facility.opening_hours.all():
        k = used.get(hours.weekday, 0)
        used[hours.weekday] = k + 1
        initial[f"h{hours.weekday}_{k}_opens"] = _time(hours.minutes.lower)
        initial[f"h{hours.weekday}_{k}_closes"] = _time(hours.minutes.upper)
    for i, closure in enumerate(facility.closures.all()):
        initial[f"c{i}_start"] = closure.dates.lower
        initial[f"c{i}_last"] = closure.dates.upper - dt.timedelta(days=1)
        initial[f"c{i}_reason"] = closure.reason
    return initial


def hour_slots(facility: Facility) -> int:
    """The editor's ranges per day for `facility`: its busiest day's, plus an empty one."""
    per_day: dict[int, int] = {}
    for hours in facility.opening_hours.all():
        per_day[hours.weekday] = per_day.get(hours.weekday, 0) + 1
    return max(per_day.values(), default=0) + 1


def _time(minutes: int) -> dt.time:
    return (
        dt.time(0, 0) if minutes >= 24 * 60 else dt.time(minutes // 60, minutes % 60)
    )  # 24:00 shows as 00:00


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG ou WebP, 5 Mo au plus)"))
    alt_text = inputs.TextField(
        label=_("Ce que montre la photo (pour les lecteurs d'écran)"), max_length=200, required=False
    )
