from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "yizhan.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        from yizhan.core import maps
        from yizhan.places import basemap

        maps.register_layers(basemap.urls)  # the offline basemap's data, for every map
