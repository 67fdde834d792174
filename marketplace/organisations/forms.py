from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.organisations.models import OrganisationKind, StaffRoleKind


class OrganisationRegisterForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'employeur"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    siren = forms.CharField(label=_("SIREN (9 chiffres)"), min_length=9, max_length=9)
    seat_commune = forms.CharField(
        label=_("Code INSEE de la commune du siège"),
        min_length=5,
        max_length=5,
        help_text=_("Par exemple 38185 pour Grenoble."),
    )
    agents_count = forms.IntegerField(label=_("Nombre d'agents"), min_value=0, max_value=500_000, initial=0)
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = forms.CharField(label=_("Téléphone de contact"), max_length=20, required=False)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail de la personne"))
    role = forms.ChoiceField(label=_("Rôle"), choices=StaffRoleKind.choices)


class OrganisationProfileForm(forms.Form):
    agents_count = forms.IntegerField(label=_("Nombre d'agents"), min_value=0, max_value=500_000)
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = forms.CharField(label=_("Téléphone de contact"), max_length=20, required=False)
