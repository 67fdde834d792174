from django.contrib import admin

from geo.models import Commune, Departement, Region

# Plain admin, no map widget: Django's GIS widgets load OpenLayers and tiles from third-party hosts.


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "population")
    search_fields = ("code", "name")
    exclude = ("geom", "geom_simple")


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "population")
    list_filter = ("region",)
    search_fields = ("code", "name")
    exclude = ("geom", "geom_simple")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "departement", "population")
    search_fields = ("code", "name", "search_name")
    exclude = ("geom", "point", "search_name")
    list_select_related = ("departement",)
