"""Organisations a person can belong to or be scoped to: platforms, employers, departments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """A platform company (delivery, ride-hailing, freight) whose workers use Yizhan."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Food and parcel delivery")
        RIDE_HAILING = "ride_hailing", _("Ride-hailing")
        FREIGHT = "freight", _("Freight")
        COURIER = "courier", _("Courier")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Employer(models.Model):
    """A company that employs or contracts workers (a delivery station operator, a fleet)."""

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), null=True, blank=True, on_delete=models.SET_NULL
    )
    district = models.ForeignKey(
        "places.District", verbose_name=_("district"), null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A government department that handles cases (人社局, 交通运输局, ...)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name
