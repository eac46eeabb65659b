"""Sub-ledgers (分帐) of the equipment ledger and the equipment handover list (设备交接清单).

SCH-08 / AST-24 (篇12 电教管理教师(9)): "总帐和分帐完备，做到帐、物、签相符". The general ledger
(总帐) is every asset card; a `SubLedger` is a named part of it kept by one person (电教管理教师,
网络教室管理教师, 信息技术专用室负责人), defined by categories, locations (with their
sub-locations) and departments (with their sub-units): a card belongs when it matches every
non-empty criterion. Membership is computed, never stored, so a card moved in the ledger moves
between sub-ledgers by itself.

SCH-10 (篇12 网络教室管理教师(1)(2)): when the keeper changes, a `SubLedgerHandover` lists every
card of the sub-ledger (`HandoverLine`), each checked present/absent with a condition note, and
is confirmed by the outgoing and the incoming keeper; the second confirmation makes the incoming
person the keeper.

State changes go through `zhidu.assets.services.subledger`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel


class SubLedger(BaseModel):
    """A sub-ledger (分帐): the cards of some categories / places / departments, with a keeper.

    `department` is the unit that owns the sub-ledger and decides who sees it (scope); the keeper
    always sees it (owner rule).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    keeper = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="kept_subledgers", verbose_name=_("keeper"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("owner unit"))
    categories = models.ManyToManyField("assets.AssetCategory", blank=True, related_name="+",
                                        verbose_name=_("categories"))
    locations = models.ManyToManyField("assets.Location", blank=True, related_name="+",
                                       verbose_name=_("locations (with sub-locations)"))
    departments = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+",
                                         verbose_name=_("departments (with sub-units)"))
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = "department"
    scope_owner_fields = ("keeper",)

    class Meta:
        verbose_name = _("sub-ledger")
        verbose_name_plural = _("sub-ledgers")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assets:subledger_detail", args=[self.pk])


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("Checking")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class SubLedgerHandover(BaseModel):
    """设备交接清单 (SCH-10): the handover of a sub-ledger from one keeper to the next.

    Both keepers take part (owner rule: they see it and may check lines and confirm); the
    confirmations are personal, each recorded with its time.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    subledger = models.ForeignKey(SubLedger, on_delete=models.PROTECT, related_name="handovers",
                                  verbose_name=_("sub-ledger"))
    from_keeper = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("outgoing keeper"))
    to_keeper = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("incoming keeper"))
    status = models.CharField(_("status"), max_length=10, choices=HandoverStatus.choices,
                              default=HandoverStatus.OPEN, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    outgoing_confirmed_at = models.DateTimeField(_("confirmed by the outgoing keeper"), null=True, blank=True,
                                                 editable=False)
    incoming_confirmed_at = models.DateTimeField(_("confirmed by the incoming keeper"), null=True, blank=True,
                                                 editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"), editable=False)

    scope_unit_field = "subledger__department"
    scope_owner_fields = ("from_keeper", "to_keeper")
    scope_owner_actions = ("view", "change")

    class Meta:
        verbose_name = _("equipment handover")
        verbose_name_plural = _("equipment handovers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subledger"], condition=Q(status="open"),
                                    name="assets_one_open_handover",
                                    violation_error_message=_("This sub-ledger already has a handover in progress.")),
        ]

    def __str__(self):
        return f"{self.number} {self.subledger}"

    def get_absolute_url(self):
        return reverse("assets:handover_detail", args=[self.pk])


class HandoverLine(BaseModel):
    """One card of the handover list: present or absent (None = not checked yet), with its condition.

    Number and name are copied when the list is drawn up, so the printed list stays as signed.
    """

    handover = models.ForeignKey(SubLedgerHandover, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("handover"))
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="+", verbose_name=_("asset"))
    asset_number = models.CharField(_("asset number"), max_length=40)
    asset_name = models.CharField(_("name"), max_length=200)
    present = models.BooleanField(_("present"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=255, blank=True)

    scope_unit_field = "handover__subledger__department"
    scope_owner_fields = ("handover__from_keeper", "handover__to_keeper")
    scope_owner_actions = ("view", "change")

    class Meta:
        verbose_name = _("handover line")
        verbose_name_plural = _("handover lines")
        ordering = ["handover_id", "asset_number"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "asset"], name="assets_handover_line_unique"),
        ]

    def __str__(self):
        return f"{self.asset_number} {self.asset_name}"
