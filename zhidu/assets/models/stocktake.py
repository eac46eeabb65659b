"""Stock-takes (清查/盘点, AST-16, AST-17, SCH-06) and periodic patrol inspections (巡检, AUD-01).

A `StocktakePlan` counts the assets the ledger places in a location subtree and/or a
department subtree and/or a category. Starting the count freezes the expected assets
(`StocktakeExpected`, a snapshot); each scan of a QR label or typed asset number records a
`StocktakeLine` (found / misplaced / unknown); what was expected but not counted at the end is
missing. Differences are reconciled through `StocktakeAdjustment`s, reviewed by the IT
authority head (approval process "assets.stocktake_adjustment") and then applied to the ledger
through the services, so accounts match goods (账物一致, 篇6 第三条(8)). Seals (封记) are
recorded per counted asset (AST-17, 篇6 第三条(22)).

`InspectionRound` + `InspectionFinding`: the periodic equipment patrol of a location with a
finding per asset (篇1 第十条(8)).

State changes go through `zhidu.assets.services.stocktake`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel


class StocktakeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COUNTING = "counting", _("Counting")
    RECONCILING = "reconciling", _("Reconciling")
    CLOSED = "closed", _("Closed")


class StocktakeKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic stock-take")
    REALLOCATION = "reallocation", _("After a reallocation")
    SEMESTER = "semester", _("Semester-end count")
    SPOT = "spot", _("Spot check")


class CountResult(models.TextChoices):
    FOUND = "found", _("Found")
    MISPLACED = "misplaced", _("Misplaced")
    UNKNOWN = "unknown", _("Not in the ledger")


class Difference(models.TextChoices):
    MISSING = "missing", _("Missing")
    MISPLACED = "misplaced", _("Misplaced")
    UNKNOWN = "unknown", _("Not in the ledger")


class AdjustmentKind(models.TextChoices):
    MARK_LOST = "mark_lost", _("Mark as lost")
    LOCATED = "located", _("Located afterwards (no ledger change)")
    UPDATE_LOCATION = "update_location", _("Update location / department in the ledger")
    REGISTER = "register", _("Register a new asset card")
    NOTE = "note", _("Note only")


#: Which adjustments fit which difference.
ADJUSTMENT_KINDS_FOR = {
    Difference.MISSING: (AdjustmentKind.MARK_LOST, AdjustmentKind.LOCATED),
    Difference.MISPLACED: (AdjustmentKind.UPDATE_LOCATION, AdjustmentKind.NOTE),
    Difference.UNKNOWN: (AdjustmentKind.REGISTER, AdjustmentKind.NOTE),
}


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_REVIEW = "in_review", _("In review")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class StocktakePlan(BaseModel):
    """A stock-take (清查/盘点) of a location and/or department subtree and/or category.

    Empty criteria count every asset of the ledger (the semester-end full count, SCH-06).
    `department` also decides who sees the plan (scope); a plan without a department is seen
    by those who hold the permission organisation-wide.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=StocktakeKind.choices, default=StocktakeKind.PERIODIC)
    location = models.ForeignKey("assets.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location (with sub-locations)"))
    department = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department (with sub-units)"))
    category = models.ForeignKey("assets.AssetCategory", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("category"))
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    leader = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("responsible person"))
    status = models.CharField(_("status"), max_length=12, choices=StocktakeStatus.choices,
                              default=StocktakeStatus.DRAFT, db_index=True)
    started_at = models.DateTimeField(_("counting started"), null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(_("counting finished"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False, db_index=True)
    expected_count = models.PositiveIntegerField(_("expected assets"), default=0, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"), editable=False)

    scope_unit_field = "department"

    class Meta:
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        ordering = ["-id"]
        permissions = [
            ("count_stocktakeplan", _("Can count stock-takes (scan labels)")),
            ("reconcile_stocktakeplan", _("Can run stock-takes and propose adjustments")),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("assets:stocktake_detail", args=[self.pk])

    @property
    def criteria_label(self) -> str:
        parts = [str(x) for x in (self.location, self.department, self.category) if x is not None]
        return " · ".join(parts) if parts else str(_("All assets"))


class StocktakeExpected(models.Model):
    """The snapshot taken when counting starts: an asset the ledger placed in the plan's scope.

    A derived record written in bulk (not change-logged); where the ledger placed the asset is
    kept so a later ledger change does not alter the count.
    """

    plan = models.ForeignKey(StocktakePlan, on_delete=models.CASCADE, related_name="expected",
                             verbose_name=_("stock-take"))
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="+", verbose_name=_("asset"))
    location = models.ForeignKey("assets.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("expected location"))
    department = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("department"))
    custodian = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("custodian"))

    class Meta:
        verbose_name = _("expected asset")
        verbose_name_plural = _("expected assets")
        ordering = ["plan_id", "asset_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "asset"], name="assets_stocktake_expected_unique"),
        ]

    def __str__(self):
        return f"{self.plan_id}: {self.asset_id}"


class StocktakeLine(BaseModel):
    """One counted item: a scanned label or a typed number, classified when recorded."""

    plan = models.ForeignKey(StocktakePlan, on_delete=models.CASCADE, related_name="lines",
                             verbose_name=_("stock-take"))
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("asset"))
    asset_number = models.CharField(_("asset number"), max_length=40)
    payload = models.CharField(_("scanned text"), max_length=500, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=CountResult.choices)
    expected_location = models.ForeignKey("assets.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name=_("expected location"))
    found_location = models.ForeignKey("assets.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("found at"))
    seal_number = models.CharField(_("seal number"), max_length=60, blank=True)
    configuration_complete = models.BooleanField(_("configuration complete"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("counted by"))
    counted_at = models.DateTimeField(_("counted at"))

    scope_unit_field = "plan__department"

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["-counted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "asset_number"], name="assets_stocktake_line_unique"),
        ]

    def __str__(self):
        return f"{self.asset_number} · {self.get_result_display()}"


class StocktakeAdjustment(BaseModel):
    """A proposed change of the ledger for one difference, reviewed, then applied (AST-16)."""

    plan = models.ForeignKey(StocktakePlan, on_delete=models.CASCADE, related_name="adjustments",
                             verbose_name=_("stock-take"))
    difference = models.CharField(_("difference"), max_length=10, choices=Difference.choices)
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("asset"))
    line = models.ForeignKey(StocktakeLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("count line"))
    asset_number = models.CharField(_("asset number"), max_length=40)
    kind = models.CharField(_("adjustment"), max_length=16, choices=AdjustmentKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AdjustmentStatus.choices,
                              default=AdjustmentStatus.PROPOSED, db_index=True)
    to_location = models.ForeignKey("assets.Location", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("new location"))
    to_department = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("new department"))
    category = models.ForeignKey("assets.AssetCategory", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("category of the new card"))
    name = models.CharField(_("name of the new card"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("proposed by"))
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    created_asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("registered asset"))

    scope_unit_field = "plan__department"

    class Meta:
        verbose_name = _("stock-take adjustment")
        verbose_name_plural = _("stock-take adjustments")
        ordering = ["plan_id", "difference", "asset_number", "id"]
        indexes = [models.Index(fields=["plan", "status"], name="assets_stk_adj_plan_status")]

    def __str__(self):
        return f"{self.asset_number} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("assets:stocktake_detail", args=[self.plan_id]) + "?tab=adjustments"


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    DONE = "done", _("Completed")


class InspectionRound(BaseModel):
    """A patrol inspection (巡检) of a location on a day (AUD-01, 篇1 第十条(8))."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    location = models.ForeignKey("assets.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    department = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"), help_text=_("The unit that cooperates, if any."))
    inspector = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("inspector"))
    inspected_on = models.DateField(_("inspection date"), db_index=True)
    status = models.CharField(_("status"), max_length=6, choices=InspectionStatus.choices,
                              default=InspectionStatus.OPEN, db_index=True)
    summary = models.TextField(_("summary and follow-up"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)

    scope_unit_field = "department"

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["location", "status", "inspected_on"], name="assets_insp_loc_idx")]

    def __str__(self):
        return f"{self.number} {self.location}"

    def get_absolute_url(self):
        return reverse("assets:inspection_detail", args=[self.pk])


class FindingResult(models.TextChoices):
    OK = "ok", _("OK")
    ISSUE = "issue", _("Issue")


class InspectionFinding(BaseModel):
    """What the patrol found on one asset (or on the place itself when `asset` is empty)."""

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="findings",
                              verbose_name=_("inspection round"))
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("asset"))
    result = models.CharField(_("result"), max_length=6, choices=FindingResult.choices, default=FindingResult.OK)
    description = models.TextField(_("description"), blank=True)
    follow_up = models.CharField(_("follow-up action"), max_length=255, blank=True)

    scope_unit_field = "round__department"

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["round_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="ok") | ~Q(description=""), name="assets_finding_issue_described",
                violation_error_message=_("Describe the issue that was found."),
            ),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.get_result_display()}"
