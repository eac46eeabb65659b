"""Consumables (耗材, CON-01…09, VAR-02): catalogue, stock ledger, quotas, purchase plans.

Quantities are never a bare editable field (CON-06): every change of stock is a `Movement`
row with a signed quantity; `StockBalance` is the balance per item × location, maintained by
`services` in the same transaction as the movement (row locked with select_for_update, a
database CheckConstraint keeps it >= 0) and verifiable from the movements
(`selectors.verify_balances`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from .choices import (
    ConsumableCategory,
    MovementKind,
    MovementStatus,
    PeriodKind,
    PlanStatus,
    PlanVariant,
    RecycleCondition,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class ConsumableItem(BaseModel):
    """A catalogue entry (CON-01) with its unit, reorder level and the printer models it fits.

    The catalogue is visible to every person of the organisation (so departments can ask for
    what exists); only the consumables keeper changes it.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=12, choices=ConsumableCategory.choices, db_index=True)
    unit = models.CharField(_("unit"), max_length=10, default="个")
    specification = models.CharField(_("specification"), max_length=255, blank=True)
    reorder_level = models.PositiveIntegerField(
        _("reorder level"), default=0,
        help_text=_("A low-stock alert goes to the consumables keeper when the total stock falls to this level."),
    )
    unit_price = models.DecimalField(_("reference unit price"), default=Decimal("0.00"), **MONEY)
    fits = models.ManyToManyField("assets.AssetModel", blank=True, related_name="consumables",
                                  verbose_name=_("fits printer models"))
    is_active = models.BooleanField(_("active"), default=True)
    low_stock_alerted = models.BooleanField(_("low-stock alert sent"), default=False, editable=False)

    scope_unit_field = None
    changelog_exclude = ("created", "updated", "low_stock_alerted")

    class Meta:
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables catalogue")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="consumables_item_price_not_negative",
                                   violation_error_message=_("The unit price cannot be negative.")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consumables:item_detail", args=[self.pk])

    @classmethod
    def scope_participant_q(cls, person_id: int, action: str):
        # Every person may look the catalogue up (CON-04: departments collect as needed).
        return Q(pk__isnull=False) if action == "view" else None


class StockBalance(BaseModel):
    """The current quantity of one item at one location, derived from the movements.

    Written only by `services._apply` (an UPDATE in the movement's transaction, after
    select_for_update); never edited. The CheckConstraint is the last line of defence against
    a negative stock.
    """

    item = models.ForeignKey(ConsumableItem, on_delete=models.PROTECT, related_name="balances",
                             verbose_name=_("consumable"))
    location = models.ForeignKey("assets.Location", on_delete=models.PROTECT, related_name="consumable_balances",
                                 verbose_name=_("location"))
    quantity = models.IntegerField(_("quantity"), default=0, editable=False)

    scope_unit_field = None

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["item__category", "item__code", "location__code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="consumables_balance_unique",
                                    violation_error_message=_("One balance per item and location.")),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="consumables_balance_not_negative",
                                   violation_error_message=_("Stock cannot become negative.")),
        ]

    def __str__(self):
        return f"{self.item} @ {self.location}: {self.quantity}"


class Movement(BaseModel):
    """One line of the consumables ledger (耗材台账, CON-06) with a signed quantity.

    receipt +, issue −, return +, recycle (empties/broken back for recycling, CON-09; does not
    change the usable stock, quantity > 0), adjustment ±, transfer (two rows sharing `transfer_key`).
    An over-quota issue that needs approval is `pending` and changes nothing until approved.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=MovementStatus.choices,
                              default=MovementStatus.POSTED, db_index=True)
    item = models.ForeignKey(ConsumableItem, on_delete=models.PROTECT, related_name="movements",
                             verbose_name=_("consumable"))
    location = models.ForeignKey("assets.Location", on_delete=models.PROTECT, related_name="consumable_movements",
                                 verbose_name=_("location"))
    quantity = models.IntegerField(_("quantity"))
    department = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="consumable_movements", verbose_name=_("department"))
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="consumable_movements", verbose_name=_("person"))
    occurred_at = models.DateTimeField(_("date"), db_index=True)
    over_quota = models.BooleanField(_("over quota"), default=False, db_index=True)
    quota_note = models.CharField(_("quota check"), max_length=255, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=RecycleCondition.choices, blank=True)
    transfer_key = models.CharField(max_length=40, blank=True, editable=False)
    stock_in_line = models.ForeignKey("procurement.StockInLine", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="consumable_movements", verbose_name=_("stock-in line"))
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))

    scope_unit_field = "department"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("consumables movement")
        verbose_name_plural = _("consumables ledger")
        ordering = ["-occurred_at", "-id"]
        permissions = [
            ("issue_movement", "Can issue consumables (consumables keeper, 篇14 第十九条)"),
        ]
        indexes = [
            models.Index(fields=["item", "location", "status"], name="consumables_mv_item_loc_idx"),
            models.Index(fields=["department", "kind", "occurred_at"], name="consumables_mv_dept_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="consumables_movement_not_zero",
                                   violation_error_message=_("A movement needs a quantity.")),
            models.UniqueConstraint(fields=["stock_in_line", "item"], condition=Q(stock_in_line__isnull=False),
                                    name="consumables_one_receipt_per_stock_in_line",
                                    violation_error_message=_("This stock-in line is already booked.")),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()} {self.item} {self.quantity:+d}"

    def get_absolute_url(self):
        return reverse("consumables:movement_detail", args=[self.pk])


class Quota(BaseModel):
    """A department's consumption quota (定额, CON-05) for one item or one category per period.

    `period_start` is the first day of the month or quarter.
    """

    department = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="consumable_quotas",
                                   verbose_name=_("department"))
    item = models.ForeignKey(ConsumableItem, null=True, blank=True, on_delete=models.CASCADE, related_name="quotas",
                             verbose_name=_("consumable"))
    category = models.CharField(_("category"), max_length=12, choices=ConsumableCategory.choices, blank=True)
    period_kind = models.CharField(_("cycle"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(_("period start"))
    quantity = models.PositiveIntegerField(_("quota"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_unit_field = "department"

    class Meta:
        verbose_name = _("consumables quota")
        verbose_name_plural = _("consumables quotas")
        ordering = ["-period_start", "department__tree_key", "category"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(item__isnull=False) & Q(category="")) | (Q(item__isnull=True) & ~Q(category="")),
                name="consumables_quota_item_xor_category",
                violation_error_message=_("A quota is for one consumable or for one category, not both."),
            ),
            models.UniqueConstraint(fields=["department", "item", "category", "period_kind", "period_start"],
                                    name="consumables_quota_unique",
                                    violation_error_message=_("This department already has this quota.")),
        ]

    def __str__(self):
        what = self.item or self.get_category_display()
        return f"{self.department} · {what} · {self.period_start:%Y-%m} ({self.get_period_kind_display()})"


class Need(BaseModel):
    """A department's request for consumables for a coming period (部门需求), an input of plans."""

    department = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="consumable_needs",
                                   verbose_name=_("department"))
    item = models.ForeignKey(ConsumableItem, on_delete=models.CASCADE, related_name="needs",
                             verbose_name=_("consumable"))
    period_kind = models.CharField(_("cycle"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(_("period start"))
    quantity = models.PositiveIntegerField(_("quantity"))
    requested_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("requested_by",)

    class Meta:
        verbose_name = _("department need")
        verbose_name_plural = _("department needs")
        ordering = ["-period_start", "department_id", "item_id"]

    def __str__(self):
        return f"{self.department} · {self.item} × {self.quantity}"


class PurchasePlan(BaseModel):
    """A consumables purchase plan (VAR-02): (A) monthly batch or (B) 《耗材采购季度计划》.

    Drafted by the periodic job at the start of the period (idempotent: one generated plan per
    variant and period, `auto_generated`) or on demand; goes through approval
    ("consumables.purchase_plan"); when approved it becomes a procurement purchase request
    (《信息化配置需求计划》), linked in `purchase_request`.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    variant = models.CharField(_("variant"), max_length=1, choices=PlanVariant.choices)
    period_kind = models.CharField(_("cycle"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT,
                              db_index=True)
    average_months = models.PositiveSmallIntegerField(_("average over months"), default=3)
    prepared_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("prepared by"))
    auto_generated = models.BooleanField(_("drafted by the periodic job"), default=False, editable=False)
    purchase_request = models.ForeignKey("procurement.PurchaseRequest", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="consumable_plans",
                                         verbose_name=_("purchase request"))
    notes = models.TextField(_("notes"), blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("consumables purchase plan")
        verbose_name_plural = _("consumables purchase plans")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "period_kind", "period_start"], condition=Q(auto_generated=True),
                                    name="consumables_one_generated_plan_per_period",
                                    violation_error_message=_("A plan was already drafted for this period.")),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("consumables:plan_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.WITHDRAWN)

    @property
    def total_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))


class PlanLine(BaseModel):
    """One consumable of a plan with the figures it was sized from (N05/N06)."""

    plan = models.ForeignKey(PurchasePlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("plan"))
    item = models.ForeignKey(ConsumableItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("consumable"))
    monthly_average = models.DecimalField(_("monthly average use"), max_digits=10, decimal_places=2, default=0)
    expected_use = models.PositiveIntegerField(_("expected use"), default=0)
    requested = models.PositiveIntegerField(_("department requests"), default=0)
    stock = models.IntegerField(_("in stock"), default=0)
    proposed = models.PositiveIntegerField(_("proposed"), default=0)
    quantity = models.PositiveIntegerField(_("quantity to buy"), default=0)
    unit_price = models.DecimalField(_("unit price"), default=Decimal("0.00"), **MONEY)

    scope_unit_field = None

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan_id", "item__category", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="consumables_planline_unique",
                                    violation_error_message=_("The plan already has this consumable.")),
        ]

    @property
    def amount(self) -> Decimal:
        return (self.unit_price or Decimal("0")) * self.quantity

    def __str__(self):
        return f"{self.item} × {self.quantity}"
