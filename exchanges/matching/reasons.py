"""The one line that says why a suggestion is there, rendered in the viewer's language from the stored
reason key and numbers (`engine.score` writes them)."""

from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def reason_text(reason: str, params: dict[str, Any]) -> str:
    nights, wishes, theirs = (
        int(params.get("nights", 0)),
        int(params.get("wishes", 0)),
        int(params.get("theirs", 0)),
    )
    parts = [
        ngettext("dates en commun : %(n)s nuit", "dates en commun : %(n)s nuits", nights) % {"n": nights},
        ngettext("%(n)s de vos souhaits satisfait", "%(n)s de vos souhaits satisfaits", wishes)
        % {"n": wishes},
    ]
    if reason == "pair":
        parts.append(
            ngettext(
                "%(n)s souhait de l'autre foyer satisfait",
                "%(n)s souhaits de l'autre foyer satisfaits",
                theirs,
            )
            % {"n": theirs}
        )
    else:
        parts.append(
            ngettext(
                "%(n)s souhait des autres foyers satisfait",
                "%(n)s souhaits des autres foyers satisfaits",
                theirs,
            )
            % {"n": theirs}
        )
    spare = int(params.get("spare", 0))
    parts.append(
        _("la taille du logement vous convient")
        if spare <= 1
        else ngettext("%(n)s couchage de trop", "%(n)s couchages de trop", spare) % {"n": spare}
    )
    parts.append(_("réponses aux messages : %(n)s %%") % {"n": int(params.get("response", 50))})
    reviews = int(params.get("reviews", 0))
    if reviews:
        rating = int(params.get("rating", 0))
        parts.append(
            ngettext("avis : %(rating)s/5 (%(n)s avis)", "avis : %(rating)s/5 (%(n)s avis)", reviews)
            % {"rating": formats.number_format(rating / 10, 1), "n": reviews}
        )
    newcomers = int(params.get("newcomers", 0))
    if newcomers:
        parts.append(
            ngettext("%(n)s foyer à son premier échange", "%(n)s foyers à leur premier échange", newcomers)
            % {"n": newcomers}
        )
    line = " · ".join(parts)
    if reason == "cycle":
        homes = int(params.get("homes", 3))
        return _("Boucle à %(n)s logements : %(line)s") % {"n": homes, "line": line}
    return _("Échange réciproque : %(line)s") % {"line": line}
