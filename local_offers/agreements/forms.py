"""The agreement editor and the decision form (fields named as the service's arguments, but facilities)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from geo.models import Departement, Region
from local_offers.models import BenefitKind, Facility


class AgreementForm(forms.Form):
    service_fields = {"facility_ids": "facilities"}

    facilities = forms.MultipleChoiceField(
        label=_("Équipements couverts"), widget=forms.CheckboxSelectMultiple
    )
    benefit_kind = forms.ChoiceField(label=_("Avantage"), choices=BenefitKind.choices)
    benefit_value = forms.DecimalField(
        label=_("Valeur (pourcentage ou prix en euros ; vide pour l'entrée gratuite)"),
        required=False,
        max_digits=7,
        decimal_places=2,
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    party_min = forms.IntegerField(label=_("Personnes au minimum"), min_value=1, max_value=50, initial=1)
    party_max = forms.IntegerField(label=_("Personnes au maximum"), min_value=1, max_value=50, initial=4)
    audience_all = forms.BooleanField(
        label=_("Ouvert aux agents de tous les adhérents"), required=False, initial=True
    )
    audience_regions = forms.MultipleChoiceField(label=_("Sinon, régions"), required=False)
    audience_departements = forms.MultipleChoiceField(label=_("et départements"), required=False)
    quota_per_agent = forms.IntegerField(label=_("Quota par agent et par an"), required=False, min_value=1)
    quota_total = forms.IntegerField(label=_("Quota total par an"), required=False, min_value=1)
    valid_from = forms.DateField(
        label=_("Valable du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("au (inclus)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, facilities: list[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilities"].choices = [(str(f.pk), f"{f.name} — {f.commune.name}") for f in facilities]  # type: ignore[attr-defined]
        self.fields["audience_regions"].choices = [(r.code, r.name) for r in Region.objects.order_by("name")]  # type: ignore[attr-defined]
        self.fields["audience_departements"].choices = [  # type: ignore[attr-defined]
            (d.code, f"{d.code} {d.name}") for d in Departement.objects.order_by("code")
        ]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["facility_ids"] = [int(pk) for pk in data.pop("facilities")]
        return data


class DocumentForm(forms.Form):
    document = forms.FileField(label=_("Convention signée (PDF, 5 Mo au plus)"))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
