"""The city's administrative tree: district (区/县) → subdistrict (街道/乡镇) → community (社区).

Boundaries are GeoJSON geometries in WGS-84 (lng, lat order, as GeoJSON says), with a
bounding box and a centroid kept beside them for cheap filtering and map centring.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS-84)"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    centroid_lng = models.FloatField(null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def set_boundary(self, geometry: dict | None) -> None:
        """Store a GeoJSON geometry and derive its box and centroid (validated by shapely)."""
        from yizhan.places.geometry import describe

        self.boundary = geometry
        facts = describe(geometry) if geometry else None
        for name in ("min_lng", "min_lat", "max_lng", "max_lat", "centroid_lng", "centroid_lat"):
            setattr(self, name, facts[name] if facts else None)


class District(Area):
    class Meta(Area.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Subdistrict(Area):
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="subdistricts"
    )

    class Meta(Area.Meta):
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")


class Community(Area):
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        on_delete=models.PROTECT,
        related_name="communities",
    )

    class Meta(Area.Meta):
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    @property
    def district(self):
        return self.subdistrict.district


class Landmark(models.Model):
    """A named place people know (a square, a hospital, a bridge, a market) that the city
    imports from a list (`places.services.landmarks_import_csv`). Reports and the public map
    say "near <landmark>" with it; the place search finds it by name or pinyin initials."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    initials = models.CharField(_("pinyin initials"), max_length=80, blank=True, editable=False)
    pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("landmark")
        verbose_name_plural = _("landmarks")
        ordering = ["code"]

    def __str__(self):
        return self.name
