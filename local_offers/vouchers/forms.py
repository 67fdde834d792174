"""The voucher request form (fields named as the service's arguments) and the desk's lookup form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class VoucherRequestForm(forms.Form):
    agreement_id = forms.IntegerField(widget=forms.HiddenInput)
    facility_id = forms.IntegerField(widget=forms.HiddenInput)
    first_day = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    party_size = forms.IntegerField(label=_("Nombre de personnes"), min_value=1, max_value=50)


class DeskLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Code du bon"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    token = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("token"):
            self.add_error("code", _("Tapez le code du bon ou scannez son QR code."))
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Nom de la clé (le système qui l'utilise)"), max_length=100)
