"""The search form of the map page: the same parameters as the API (HomeSearchFilter decides what they mean)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Amenity, HomeKind
from geo.models import Region


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
    wants_to_come_to = forms.ChoiceField(
        label=_("Qui veut venir chez moi ?"),
        required=False,
        choices=[("", _("Peu importe")), ("mine", _("Seulement les agents qui souhaitent venir chez moi"))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        regions = Region.objects.order_by("name").values_list("code", "name")
        self.fields["region"].choices = [("", _("Toutes")), *regions]  # type: ignore[attr-defined]
