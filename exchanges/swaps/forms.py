"""The page forms of the swaps: a proposal from a home's page, a review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.swaps.models import REVIEW_MAX_CHARS


class ProposeForm(forms.Form):
    """Two crossed stays: my household at their home, theirs at mine (the same dates unless told)."""

    my_home = forms.TypedChoiceField(label=_("Mon logement"), coerce=int)
    start = forms.DateField(label=_("Arrivée chez eux"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Départ de chez eux"), widget=forms.DateInput(attrs={"type": "date"}))
    my_guests = forms.IntegerField(label=_("Nous serons"), min_value=1, max_value=30, initial=2)
    their_start = forms.DateField(
        label=_("Leur arrivée chez moi (si différente)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    their_end = forms.DateField(
        label=_("Leur départ de chez moi (si différent)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    their_guests = forms.IntegerField(label=_("Ils seront"), min_value=1, max_value=30, initial=2)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: object, homes: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["my_home"].choices = homes  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    """A one-way stay request to a home open to any request, paid in solidarity nights. Prefixed: the
    swap proposal form may be on the same page (no two fields with one id)."""

    prefix = "request"

    my_home = forms.TypedChoiceField(label=_("Mon foyer (mon logement)"), coerce=int)
    start = forms.DateField(label=_("Arrivée"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Départ"), widget=forms.DateInput(attrs={"type": "date"}))
    guests = forms.IntegerField(label=_("Nous serons"), min_value=1, max_value=30, initial=2)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: object, homes: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["my_home"].choices = homes  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Note"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)], initial=5
    )
    text = forms.CharField(
        label=_("Votre avis (public)"), max_length=REVIEW_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )
    private_note = forms.CharField(
        label=_("Note aux modérateurs (privée)"),
        max_length=REVIEW_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
