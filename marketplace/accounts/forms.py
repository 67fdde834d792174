from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import LANGUAGE_CHOICES, User
from marketplace.inputs import NameField, PhoneField


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to its own (e-mail and password)."""

    display_name = NameField(
        label=_("Nom affiché"), max_length=120, help_text=_("Prénom et nom, ou ce que les autres verront.")
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


class ProfileForm(forms.Form):
    display_name = NameField(label=_("Nom affiché"), max_length=120)
    phone = PhoneField(
        label=_("Téléphone"), required=False, help_text=_("Privé : jamais affiché publiquement.")
    )
    preferred_language = forms.ChoiceField(label=_("Langue préférée"), choices=LANGUAGE_CHOICES)


class AvatarForm(forms.Form):
    avatar = forms.FileField(label=_("Photo (JPEG, PNG ou WebP, 5 Mo au plus)"))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Votre mot de passe, pour confirmer"), widget=forms.PasswordInput)
