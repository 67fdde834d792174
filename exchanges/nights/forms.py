"""The administrator's correction form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.nights.services import MAX_CORRECTION


class CorrectionForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de l'agent"))
    nights = forms.IntegerField(
        label=_("Nuits (positif : créditées, négatif : débitées)"),
        min_value=-MAX_CORRECTION,
        max_value=MAX_CORRECTION,
    )
    reason = forms.CharField(
        label=_("Motif (obligatoire)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
