from django.utils.translation import gettext_lazy as _

from marketplace.errors import NotFound, ValidationFailed


class InvalidCoordinates(ValidationFailed):
    code = "coordinates_invalid"
    default_message = _(
        "Coordonnées invalides : la longitude doit être comprise entre -180 et 180, la latitude entre -90 et 90."
    )


class PointOutsideFrance(ValidationFailed):
    code = "point_outside_france"
    default_message = _("Ce point n'est dans aucune commune française (hors de France ou en mer).")


class CoordinatesSwapped(ValidationFailed):
    code = "coordinates_swapped"
    default_message = _(
        "Ce point est hors de France, mais il y tombe si l'on inverse latitude et longitude : "
        "vérifiez l'ordre (lon = longitude, lat = latitude)."
    )


class TerritoryNotFound(NotFound):
    code = "territory_not_found"
    default_message = _("Aucun territoire ne porte ce code.")
