"""IT procurement (PRC-01…PRC-17, VAR-01).

A purchase request (《信息化配置申请》 or 《信息化配置需求计划》) goes through approval (routed by
the VAR-01 policy), supplier comparison (≥ 3 quotations or a recorded waiver, PRC-11), one
order/contract, acceptance against the approved lines (PRC-12), stock-in (PRC-13/PRC-17) and
reimbursement, which is refused until the goods are stocked in (篇6 第三条(24)).
Self-purchases by departments are registered for IT filing (PRC-02, PRC-07).

State changes go through `services.py`; the allowed transitions are in `workflows.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from .choices import (
    ApprovalChoice,
    FilingStatus,
    LineCategory,
    RejectedAction,
    RequestKind,
    RequestStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class PurchaseRequest(BaseModel):
    """A purchase application (PRC-01/05) or configuration demand plan (PRC-04).

    `total_amount` is the sum of the line amounts, kept by the services. Approval routing
    (VAR-01 A, 篇1 第九条(2)) is by the *single-contract amount*: one request leads to one
    contract (`PurchaseOrder` is one-to-one), so the expected contract amount is the total,
    unless the requester states a higher figure (installation, shipping…). The routing amount
    is frozen at submission in `routing_amount` = max(total, expected contract amount); the
    signed contract may not exceed it (a larger contract needs a new approval).
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("form"), max_length=12, choices=RequestKind.choices, default=RequestKind.APPLICATION)
    title = models.CharField(_("title"), max_length=200)
    requester = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("requester")
    )
    department = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("department")
    )
    purpose = models.TextField(_("purpose of use"), blank=True)
    software_needs = models.TextField(_("software to be used"), blank=True)
    configuration_standard = models.TextField(_("configuration standard"), blank=True)
    deviates_from_standard = models.BooleanField(_("deviates from the standard configuration"), default=False)
    deviation_justification = models.TextField(_("justification for the deviation"), blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    expected_contract_amount = models.DecimalField(
        _("expected single-contract amount"), **MONEY, null=True, blank=True,
        help_text=_("Leave empty when the contract will be the total of the lines."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT, db_index=True
    )
    total_amount = models.DecimalField(_("total amount"), **MONEY, default=ZERO, editable=False)
    routing_amount = models.DecimalField(_("amount approved on"), **MONEY, null=True, blank=True, editable=False)
    approval_choice = models.CharField(
        _("approval outcome"), max_length=12, choices=ApprovalChoice.choices, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("approval decided"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"), editable=False,
    )

    scope_unit_field = "department"
    scope_owner_fields = ("requester",)
    scope_owner_actions = ("view", "change", "submit", "delete")

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-id"]
        permissions = [
            ("submit_purchaserequest", _("Can submit and withdraw purchase requests")),
            ("process_purchaserequest", _("Can process approved purchases (quotations, orders, acceptance, stock-in)")),
            ("reimburse_purchaserequest", _("Can record reimbursement of purchases")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="procurement_request_total_nonnegative",
                violation_error_message=_("The total amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(expected_contract_amount__isnull=True) | Q(expected_contract_amount__gte=0),
                name="procurement_request_contract_nonnegative",
                violation_error_message=_("The expected contract amount cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="procurement_req_dept_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("procurement:request_detail", args=[self.pk])

    @property
    def contract_amount(self) -> Decimal:
        """The single-contract amount VAR-01 (A) routes on: max(total, expected contract amount)."""
        expected = self.expected_contract_amount or ZERO
        return max(self.total_amount or ZERO, expected)

    @property
    def is_editable(self) -> bool:
        return self.status in (RequestStatus.DRAFT, RequestStatus.RETURNED)

    @classmethod
    def scope_participant_q(cls, person_id: int, action: str):
        """Approvers who hold (or held) a task on a request may view it."""
        if action != "view":
            return None
        try:
            from zhidu.procurement.selectors import approver_request_ids_q
        except ImportError:  # pragma: no cover
            return None
        return approver_request_ids_q(person_id)


class PurchaseLine(BaseModel):
    """One requested item: what, which category, configuration, how many, at what price."""

    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("purchase request"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    item = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=LineCategory.choices, default=LineCategory.COMPUTER)
    specification = models.TextField(_("specification / configuration"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY, default=ZERO, editable=False)

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("purchase line")
        verbose_name_plural = _("purchase lines")
        ordering = ["request_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="procurement_line_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="procurement_line_price_nonnegative",
                violation_error_message=_("The unit price cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"

    def save(self, *args, **kwargs):
        self.amount = (Decimal(self.quantity or 0) * (self.unit_price or ZERO)).quantize(Decimal("0.01"))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"amount"}
        super().save(*args, **kwargs)


class SupplierQuotation(BaseModel):
    """A supplier's quotation for the request (货比三家, PRC-11, 篇6 第三条(7)). Scans attach."""

    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="quotations",
                                verbose_name=_("purchase request"))
    supplier_name = models.CharField(_("supplier"), max_length=200)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    amount = models.DecimalField(_("quoted amount"), **MONEY)
    quoted_on = models.DateField(_("quotation date"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("supplier quotation")
        verbose_name_plural = _("supplier quotations")
        ordering = ["request_id", "amount", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "supplier_name"], name="procurement_quotation_unique_supplier",
                violation_error_message=_("This supplier has already quoted for this request."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="procurement_quotation_amount_nonnegative",
                violation_error_message=_("The quoted amount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.supplier_name} ¥{self.amount}"


class QuotationWaiver(BaseModel):
    """A recorded reason why fewer quotations than the minimum were obtained (PRC-11)."""

    request = models.OneToOneField(PurchaseRequest, on_delete=models.CASCADE, related_name="quotation_waiver",
                                   verbose_name=_("purchase request"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("quotation waiver")
        verbose_name_plural = _("quotation waivers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="procurement_waiver_reason_required",
                violation_error_message=_("A waiver needs a reason."),
            ),
        ]

    def __str__(self):
        return str(_("Quotation waiver for %(number)s") % {"number": self.request.number})


class PurchaseOrder(BaseModel):
    """The order / contract signed with the chosen supplier (PRC-11: 签订有效合同)."""

    request = models.OneToOneField(PurchaseRequest, on_delete=models.CASCADE, related_name="order",
                                   verbose_name=_("purchase request"))
    supplier_name = models.CharField(_("supplier"), max_length=200)
    contract_no = models.CharField(_("contract number"), max_length=60, unique=True)
    amount = models.DecimalField(_("contract amount"), **MONEY)
    signed_on = models.DateField(_("signed on"))
    quotation = models.ForeignKey(SupplierQuotation, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("chosen quotation"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="procurement_order_amount_positive",
                violation_error_message=_("The contract amount must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.contract_no} {self.supplier_name}"


class Acceptance(BaseModel):
    """One acceptance (验收) of delivered goods against the contract's configuration list (PRC-12).

    Several acceptances may follow one order: exchanged goods are accepted later.
    """

    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="acceptances",
                                verbose_name=_("purchase request"))
    accepted_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["request_id", "accepted_at", "id"]

    def __str__(self):
        return str(_("Acceptance of %(number)s") % {"number": self.request.number})

    def get_absolute_url(self):
        return f"{self.request.get_absolute_url()}?tab=acceptance"


class AcceptanceLine(BaseModel):
    """The result for one request line: accepted and rejected quantities (PRC-12)."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="lines",
                                   verbose_name=_("acceptance"))
    line = models.ForeignKey(PurchaseLine, on_delete=models.PROTECT, related_name="acceptance_lines",
                             verbose_name=_("purchase line"))
    accepted_quantity = models.PositiveIntegerField(_("accepted quantity"), default=0)
    rejected_quantity = models.PositiveIntegerField(_("rejected quantity"), default=0)
    rejected_action = models.CharField(_("rejected items"), max_length=10, choices=RejectedAction.choices, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    scope_unit_field = "acceptance__request__department"
    scope_owner_fields = ("acceptance__request__requester",)

    class Meta:
        verbose_name = _("acceptance line")
        verbose_name_plural = _("acceptance lines")
        ordering = ["acceptance_id", "line__position", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["acceptance", "line"], name="procurement_acceptanceline_unique"),
            models.CheckConstraint(
                condition=Q(rejected_quantity=0) | ~Q(rejected_action=""),
                name="procurement_acceptanceline_rejected_flagged",
                violation_error_message=_("Rejected items must be flagged for return or exchange."),
            ),
        ]

    def __str__(self):
        return f"{self.line.item}: +{self.accepted_quantity} / -{self.rejected_quantity}"


class StockIn(BaseModel):
    """A warehouse receipt (入库单) of accepted goods (PRC-13, PRC-17).

    The assets app creates asset cards / consumable stock from its lines.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    request = models.ForeignKey(PurchaseRequest, on_delete=models.PROTECT, related_name="stock_ins",
                                verbose_name=_("purchase request"))
    location = models.CharField(_("warehouse / location"), max_length=200)
    received_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("received by"))
    received_at = models.DateTimeField(_("received at"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("stock-in")
        verbose_name_plural = _("stock-ins")
        ordering = ["-id"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return f"{self.request.get_absolute_url()}?tab=stock_in"


class StockInLine(BaseModel):
    """What one stock-in took in of one request line."""

    stock_in = models.ForeignKey(StockIn, on_delete=models.CASCADE, related_name="lines", verbose_name=_("stock-in"))
    line = models.ForeignKey(PurchaseLine, on_delete=models.PROTECT, related_name="stock_in_lines",
                             verbose_name=_("purchase line"))
    quantity = models.PositiveIntegerField(_("quantity"))

    scope_unit_field = "stock_in__request__department"
    scope_owner_fields = ("stock_in__request__requester",)

    class Meta:
        verbose_name = _("stock-in line")
        verbose_name_plural = _("stock-in lines")
        ordering = ["stock_in_id", "line__position", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["stock_in", "line"], name="procurement_stockinline_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="procurement_stockinline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.line.item} × {self.quantity}"


class Reimbursement(BaseModel):
    """Reimbursement with the invoices (报销). Refused until a stock-in exists (PRC-13, 篇6 第三条(24))."""

    request = models.OneToOneField(PurchaseRequest, on_delete=models.CASCADE, related_name="reimbursement",
                                   verbose_name=_("purchase request"))
    amount = models.DecimalField(_("amount"), **MONEY)
    invoice_no = models.CharField(_("VAT invoice number"), max_length=60)
    reimbursed_on = models.DateField(_("reimbursed on"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    scope_unit_field = "request__department"
    scope_owner_fields = ("request__requester",)

    class Meta:
        verbose_name = _("reimbursement")
        verbose_name_plural = _("reimbursements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="procurement_reimbursement_amount_positive",
                violation_error_message=_("The amount must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.request.number} {self.invoice_no}"


class SelfPurchaseFiling(BaseModel):
    """A department's own IT purchase, registered with the IT authority for filing (备案).

    PRC-02 (篇1 第九条(1)): self-purchases must be registered; the platform lists those not
    yet filed. PRC-07 (篇14/5 第十条): model, performance data, manufacturer, supplier,
    purchase date and software information are all mandatory.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="self_purchase_filings",
                                   verbose_name=_("department"))
    registered_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="self_purchase_filings",
                                      verbose_name=_("registered by"))
    item = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=LineCategory.choices, default=LineCategory.COMPUTER)
    model_name = models.CharField(_("model"), max_length=200)
    performance = models.TextField(_("performance data"))
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200)
    purchase_date = models.DateField(_("purchase date"))
    software_info = models.TextField(_("software information"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.UNFILED,
                              db_index=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("filed by"), editable=False)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True, editable=False)
    filing_note = models.TextField(_("filing note"), blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("registered_by",)
    scope_owner_actions = ("view", "change")

    class Meta:
        verbose_name = _("self-purchase filing")
        verbose_name_plural = _("self-purchase filings")
        ordering = ["-id"]
        permissions = [("file_selfpurchasefiling", _("Can file self-purchases (IT authority)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="procurement_filing_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(status=FilingStatus.UNFILED) | Q(filed_at__isnull=False),
                name="procurement_filing_filed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(model_name="") & ~Q(performance="") & ~Q(manufacturer="") & ~Q(supplier="")
                & ~Q(software_info=""),
                name="procurement_filing_mandatory_fields",
                violation_error_message=_("Model, performance data, manufacturer, supplier and software "
                                          "information are mandatory (篇14/5 第十条)."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.item}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("procurement:filing_detail", args=[self.pk])
