"""Rest stations (驿站). The foundation keeps what role scopes need; the station network
issue adds opening hours, amenities, check-ins and the finder."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    class Kind(models.TextChoices):
        UNION = "union", _("Union station")
        LITTLE_BEE = "little_bee", _("Little-bee station")
        BANK = "bank", _("Bank rider station")
        REGIONAL = "regional", _("Regional service centre")
        BUSINESS = "business", _("Business-district centre")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    community = models.ForeignKey(
        "places.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self):
        return self.name
