"""The hardware ledger (资产台账及卡片, AST-01, AST-02): categories, models, suppliers,
locations, the asset card and its custody history.

The asset card holds the PRC-07 filing fields (model, performance/configuration, manufacturer,
supplier, purchase date), the custodian and department (AST-08), location, status and the
fixed-asset data (转固, depreciation). Status and custodian change only through services
(issue, return, custodian change, loan, reallocation, stock-take, disposal), never by editing
the card: every change leaves a record and a timeline event (AST-09).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from ..choices import AssetStatus, CategoryKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class AssetCategory(BaseModel):
    """A category of equipment with its own card fields (e.g. CPU/RAM/disk for computers).

    `field_schema` is a list of {"key", "label", "type" (FieldType), "required", "choices"}; the
    asset's `attributes` hold the values, validated by `services.validate_attributes`.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CategoryKind.choices, default=CategoryKind.OTHER)
    field_schema = models.JSONField(_("card fields"), default=list, blank=True)
    depreciation_years = models.PositiveSmallIntegerField(_("depreciation period (years)"), default=5)
    residual_rate = models.DecimalField(
        _("residual value rate"), max_digits=4, decimal_places=3, default=Decimal("0.050"),
        help_text=_("Share of the price left at the end of the period, e.g. 0.050 = 5%."),
    )
    is_fixed_asset = models.BooleanField(_("fixed asset"), default=True,
                                         help_text=_("Capitalised on stock-in (转固) and depreciated."))
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(residual_rate__gte=0) & Q(residual_rate__lt=1), name="assets_category_residual_rate_range",
                violation_error_message=_("The residual value rate must be at least 0 and below 1."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assets:category_edit", args=[self.pk])


class Supplier(BaseModel):
    """A supplier or service provider (R25)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assets:supplier_edit", args=[self.pk])


class AssetModel(BaseModel):
    """A product model (型号) with its standard configuration (PRC-07, PRC-15)."""

    category = models.ForeignKey(AssetCategory, on_delete=models.PROTECT, related_name="models",
                                 verbose_name=_("category"))
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    name = models.CharField(_("model"), max_length=150)
    specification = models.TextField(_("standard configuration"), blank=True)
    accessories = models.JSONField(
        _("standard accessories"), default=list, blank=True,
        help_text=_("Checked on return and replacement (AST-04), e.g. power adapter, mouse."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("asset model")
        verbose_name_plural = _("asset models")
        ordering = ["manufacturer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "name"], name="assets_model_unique",
                                    violation_error_message=_("This model is already in the catalogue.")),
        ]

    def __str__(self):
        return f"{self.manufacturer} {self.name}"

    def get_absolute_url(self):
        return reverse("assets:model_edit", args=[self.pk])


class Location(BaseModel):
    """A place: building, floor, room, server room, warehouse, meeting room (a tree).

    `is_public_area` marks public areas and meeting rooms, whose equipment the IT authority
    looks after as pseudo-custodian (AST-05).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("part of"))
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("unit"), help_text=_("The unit the place belongs to, if any."))
    is_public_area = models.BooleanField(_("public area / meeting room"), default=False)
    is_warehouse = models.BooleanField(_("warehouse"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assets:location_edit", args=[self.pk])


class Asset(BaseModel):
    """The asset card: one physical device, from stock-in to disposal (AST-02).

    `number` is the asset number printed on the label. `department` is the unit that uses
    (or, in stock, holds) the device and decides who may see it; `custodian` is its first
    responsible person (AST-08), empty while in stock; public-area equipment has the IT
    authority as department and no personal custodian (AST-05).
    """

    number = models.CharField(_("asset number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(AssetCategory, on_delete=models.PROTECT, related_name="assets",
                                 verbose_name=_("category"))
    model = models.ForeignKey(AssetModel, null=True, blank=True, on_delete=models.PROTECT, related_name="assets",
                              verbose_name=_("model"))
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True, db_index=True)
    configuration = models.TextField(_("configuration"), blank=True)
    attributes = models.JSONField(_("category fields"), default=dict, blank=True)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="assets",
                                 verbose_name=_("supplier"))
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_price = models.DecimalField(_("purchase price"), null=True, blank=True, **MONEY)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_STOCK,
                              db_index=True)
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="assets",
                                   verbose_name=_("department"))
    custodian = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="assets", verbose_name=_("custodian"))
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="assets",
                                 verbose_name=_("location"))
    is_public = models.BooleanField(_("public equipment"), default=False,
                                    help_text=_("Public area or meeting room, managed by the IT authority (AST-05)."))
    is_classified = models.BooleanField(_("classified (涉密)"), default=False)
    fixed_asset_number = models.CharField(_("fixed-asset card number"), max_length=40, blank=True)
    capitalised_on = models.DateField(_("capitalised on"), null=True, blank=True)
    stock_in_line = models.ForeignKey(
        "procurement.StockInLine", null=True, blank=True, on_delete=models.PROTECT, related_name="assets",
        verbose_name=_("created by stock-in line"),
    )
    bundled_materials = models.TextField(
        _("bundled software and documents"), blank=True,
        help_text=_("What came with the device (driver discs, licences, manuals), kept by the IT authority; the "
                    "card with its attachments and history is the device's maintenance file (AST-14)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # 签 of 帐、物、签相符 (SCH-08): when the label was last printed and the number it carries;
    # set only by services.record_label_print.
    label_printed_at = models.DateTimeField(_("label printed"), null=True, blank=True, editable=False)
    label_number = models.CharField(_("number on the label"), max_length=40, blank=True, editable=False)

    scope_unit_field = "department"
    scope_owner_fields = ("custodian",)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="assets_asset_dept_status_idx"),
            models.Index(fields=["category", "status"], name="assets_asset_cat_status_idx"),
            models.Index(fields=["custodian", "status"], name="assets_asset_cust_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_price__isnull=True) | Q(purchase_price__gte=0),
                name="assets_asset_price_not_negative",
                violation_error_message=_("The purchase price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_use", "on_loan"]) | Q(custodian__isnull=False) | Q(is_public=True),
                name="assets_asset_in_use_has_custodian",
                violation_error_message=_("A device in use needs a custodian, unless it is public equipment (AST-08)."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("assets:asset_detail", args=[self.pk])


class CustodyPeriod(BaseModel):
    """Who held an asset when: the custody history A → B (AST-09), one row per holder.

    Opened by an issue or custodian change, closed by the return or the next change; `letter`
    is the signed responsibility letter that covers the period (AST-03).
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="custody_periods",
                              verbose_name=_("asset"))
    custodian = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("custodian"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    started = models.DateTimeField(_("from"))
    ended = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    letter = models.ForeignKey("assets.ResponsibilityLetter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="custody_periods", verbose_name=_("responsibility letter"))

    scope_unit_field = "department"
    scope_owner_fields = ("custodian",)

    class Meta:
        verbose_name = _("custody period")
        verbose_name_plural = _("custody history")
        ordering = ["asset_id", "-started"]
        constraints = [
            models.UniqueConstraint(fields=["asset"], condition=Q(ended__isnull=True), name="assets_one_open_custody",
                                    violation_error_message=_("An asset has one current custodian at a time.")),
        ]

    def __str__(self):
        return f"{self.asset} · {self.custodian or self.department}"
