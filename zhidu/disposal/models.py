"""Disposal of IT equipment and software (DSP-01…08, VAR-05).

A scrapping request (报废申请单, BF-YYYY-NNNNNN) is made by the using department for one or more
assets (and/or software licences) that no longer work, applying for repair or renewal (DSP-02,
篇1 第二十九条). The IT authority appraises (鉴定) every item: repair or scrap. Items to scrap go
through the approval routed by VAR-05 (process "disposal.scrap"), are recovered (回收) by the IT
authority (DSP-01, 篇1 第二十八条), their data removed (DSP-07, 篇13 3②) and are finally disposed
of (sale, recycling company, donation, destruction, return to supplier) with a disposal record;
an asset becomes "disposed" only when that record exists (DSP-04, 篇14/5 第十八条).

State changes go through `services.py`; the allowed transitions are in `workflows.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from .choices import DisposalMethod, LineKind, LineOutcome, SanitisationMethod, ScrapStatus, Verdict

MONEY = {"max_digits": 14, "decimal_places": 2}


class ScrapRequest(BaseModel):
    """报废申请单: a (batch) repair-or-renew / scrapping application of a using department."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    requester = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="scrap_requests",
                                  verbose_name=_("requester"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="scrap_requests",
                                   verbose_name=_("using department"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ScrapStatus.choices, default=ScrapStatus.DRAFT,
                              db_index=True)
    routing_variant = models.CharField(_("approval routing"), max_length=1, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    appraised_at = models.DateTimeField(_("appraised"), null=True, blank=True, editable=False)
    appraised_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("appraised by"), editable=False)
    decided_at = models.DateTimeField(_("approval decided"), null=True, blank=True, editable=False)
    recovered_at = models.DateTimeField(_("recovered"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"), editable=False)

    scope_unit_field = "department"
    scope_owner_fields = ("requester",)
    scope_owner_actions = ("view", "change", "submit", "delete")

    class Meta:
        verbose_name = _("scrapping request")
        verbose_name_plural = _("scrapping requests")
        ordering = ["-id"]
        permissions = [
            ("submit_scraprequest", _("Can submit and withdraw scrapping requests")),
            ("appraise_scraprequest", _("Can appraise items of scrapping requests (鉴定)")),
            ("process_scraprequest", _("Can recover, sanitise and dispose of scrapped items")),
        ]
        indexes = [models.Index(fields=["department", "status"], name="disposal_req_dept_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("disposal:request_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (ScrapStatus.DRAFT, ScrapStatus.RETURNED)

    @classmethod
    def scope_participant_q(cls, person_id: int, action: str):
        """Approvers who hold (or held) a task on a request may view it."""
        if action != "view":
            return None
        from .selectors import approver_request_ids_q

        return approver_request_ids_q(person_id)


class ScrapLine(BaseModel):
    """One item of a request: a hardware asset, or a software licence (DSP-05, 篇1 第三十二条)."""

    request = models.ForeignKey(ScrapRequest, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("scrapping request"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices, default=LineKind.HARDWARE)
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="scrap_lines", verbose_name=_("asset"))
    software_name = models.CharField(_("software"), max_length=200, blank=True)
    licence_key = models.CharField(_("licence key"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.TextField(_("reason"))
    verdict = models.CharField(_("appraisal verdict"), max_length=8, choices=Verdict.choices, blank=True,
                               default=Verdict.PENDING)
    appraisal_notes = models.TextField(_("appraisal notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=LineOutcome.choices, default=LineOutcome.PENDING)
    disposal = models.ForeignKey("disposal.DisposalRecord", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="lines", verbose_name=_("disposal record"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("scrapping item")
        verbose_name_plural = _("scrapping items")
        ordering = ["request_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="hardware") & Q(asset__isnull=False)) | (Q(kind="software") & Q(asset__isnull=True)),
                name="disposal_line_kind_matches",
                violation_error_message=_("A hardware item names an asset; a software item names no asset."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="disposed") | Q(disposal__isnull=False),
                name="disposal_line_disposed_has_record",
                violation_error_message=_("An item is disposed only with its disposal record (DSP-04)."),
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="disposal_line_quantity_positive",
                                   violation_error_message=_("The quantity must be at least 1.")),
        ]

    def __str__(self):
        if self.kind == LineKind.SOFTWARE:
            return f"{self.software_name} × {self.quantity}"
        return str(self.asset) if self.asset_id else "—"

    @property
    def label(self) -> str:
        return str(self)


class SanitisationRecord(BaseModel):
    """Data sanitisation of one recovered device before it leaves (DSP-07, 篇13 3②, SEC-16)."""

    line = models.OneToOneField(ScrapLine, on_delete=models.CASCADE, related_name="sanitisation",
                                verbose_name=_("scrapping item"))
    method = models.CharField(_("method"), max_length=16, choices=SanitisationMethod.choices)
    performed_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("performed by"))
    verified_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("verified by"))
    performed_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)

    scope_unit_field = "line__request__department"
    scope_owner_fields = ("line__request__requester",)

    class Meta:
        verbose_name = _("data sanitisation record")
        verbose_name_plural = _("data sanitisation records")
        ordering = ["-performed_on", "-id"]

    def __str__(self):
        return f"{self.line} · {self.get_method_display()}"


class DisposalRecord(BaseModel):
    """How recovered items finally left (DSP-04): method, recipient, date, proceeds, certificate.

    One record may cover several items of the same request (a batch sold to one recycling
    company). The certificate (回收/销毁证明) is a core Attachment on this record.
    """

    request = models.ForeignKey(ScrapRequest, on_delete=models.PROTECT, related_name="disposals",
                                verbose_name=_("scrapping request"))
    method = models.CharField(_("disposal method"), max_length=12, choices=DisposalMethod.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    disposed_on = models.DateField(_("disposal date"), db_index=True)
    proceeds = models.DecimalField(_("proceeds"), default=Decimal("0.00"), **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"), editable=False)

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("disposal record")
        verbose_name_plural = _("disposal records")
        ordering = ["-disposed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(proceeds__gte=0), name="disposal_record_proceeds_not_negative",
                                   violation_error_message=_("The proceeds cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.request.number} · {self.get_method_display()} · {self.recipient}"

    def get_absolute_url(self):
        return self.request.get_absolute_url() + "?tab=disposal"
