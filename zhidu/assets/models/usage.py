"""Usage log of valuable and precision instruments (效益管理, SCH-03, AST-24).

篇12 信息技术专用室负责人(8): "负责重要精密仪器和贵重设备的效益管理". Each use of an instrument is
logged (date, hours, who used it or which class, purpose); the utilisation report sums the hours
per instrument and semester and shows the valuable instruments that stood idle.
Recorded through `zhidu.assets.services.usage`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel


class InstrumentUsage(BaseModel):
    """One use of an instrument. Scope: the instrument's department; its custodian sees it too."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="usages",
                              verbose_name=_("instrument"))
    used_on = models.DateField(_("date of use"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    used_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("used by"))
    class_name = models.CharField(_("class"), max_length=60, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"), editable=False)

    scope_unit_field = "asset__department"
    scope_owner_fields = ("asset__custodian",)

    class Meta:
        verbose_name = _("instrument use")
        verbose_name_plural = _("instrument usage log")
        ordering = ["-used_on", "-id"]
        indexes = [models.Index(fields=["asset", "used_on"], name="assets_usage_asset_day_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="assets_usage_hours_range",
                                   violation_error_message=_("Hours of use are more than 0 and at most 24.")),
        ]

    def __str__(self):
        return f"{self.asset_id} · {self.used_on}"

    def get_absolute_url(self):
        return reverse("assets:usage_list") + f"?asset={self.asset_id}"
