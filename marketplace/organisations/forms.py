from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.inputs import EmailField, MultilineTextField, NameField, PhoneField, SirenField
from marketplace.organisations.models import OrganisationKind, StaffRoleKind


class OrganisationRegisterForm(forms.Form):
    name = NameField(label=_("Nom de l'employeur"), min_length=2, max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    siren = SirenField(label=_("SIREN (9 chiffres)"))
    seat_commune = forms.RegexField(
        regex=r"^[0-9][0-9AB][0-9]{3}$",
        label=_("Code INSEE de la commune du siège"),
        min_length=5,
        max_length=5,
        help_text=_("Par exemple 38185 pour Grenoble."),
    )
    agents_count = forms.IntegerField(label=_("Nombre d'agents"), min_value=0, max_value=500_000, initial=0)
    contact_email = EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = PhoneField(label=_("Téléphone de contact"), required=False)


class DecisionForm(forms.Form):
    comment = MultilineTextField(label=_("Commentaire"), required=False, max_length=2000)


class InviteForm(forms.Form):
    email = EmailField(label=_("E-mail de la personne"))
    role = forms.ChoiceField(label=_("Rôle"), choices=StaffRoleKind.choices)


class OrganisationProfileForm(forms.Form):
    agents_count = forms.IntegerField(label=_("Nombre d'agents"), min_value=0, max_value=500_000)
    contact_email = EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = PhoneField(label=_("Téléphone de contact"), required=False)
