"""The search form of the map page: the same parameters as the API (HomeSearchFilter decides what they mean)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Accessibility, Amenity, AvailabilityMode, HomeKind
from geo.models import Departement, Region
from marketplace import inputs


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
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au (exclu)"), widget=forms.DateInput(attrs={"type": "date"}))
    mode = forms.ChoiceField(label=_("Pour"), choices=AvailabilityMode.choices)


class WishForm(forms.Form):
    regions = forms.MultipleChoiceField(label=_("Régions"), required=False)
    departements = forms.MultipleChoiceField(label=_("Départements"), required=False)
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    flexibility_days = forms.IntegerField(
        label=_("Souplesse (± jours)"), min_value=0, max_value=30, initial=0
    )
    adults = forms.IntegerField(label=_("Adultes"), min_value=1, max_value=20, initial=2)
    children = forms.IntegerField(label=_("Enfants"), min_value=0, max_value=20, initial=0)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["regions"].choices = list(Region.objects.order_by("name").values_list("code", "name"))  # type: ignore[attr-defined]
        self.fields["departements"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} {name}")
            for code, name in Departement.objects.order_by("code").values_list("code", "name")
        ]


class SavedSearchForm(forms.Form):
    name = inputs.TextField(label=_("Nom de la recherche"), min_length=1, max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    alerts = forms.BooleanField(
        label=_("M'avertir par e-mail des nouveaux logements"), required=False, initial=True
    )
