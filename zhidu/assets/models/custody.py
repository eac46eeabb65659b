"""Responsibility letters (《设备管理责任书》, AST-03, AST-08, AST-09).

A letter is generated from the organisation's template, covers one or several devices issued
together, and is signed in the browser (typed name + drawn signature, time and IP recorded) or
by uploading a signed scan. Once signed its text is frozen as it was when signed.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel


class LetterTemplate(BaseModel):
    """The organisation's wording of the responsibility letter; edited in the UI, versioned by row."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"), help_text=_("Django template text; see the placeholders listed on the page."))
    is_active = models.BooleanField(_("in use"), default=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["-is_active", "-id"]

    def __str__(self):
        return self.name


class ResponsibilityLetter(BaseModel):
    """One 《设备管理责任书》 for one person, covering the devices issued together."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting signature")
        SIGNED = "signed", _("Signed")
        VOID = "void", _("Void")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="responsibility_letters",
                               verbose_name=_("custodian"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="letters",
                                 verbose_name=_("template"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    text = models.TextField(_("text as signed"), blank=True)
    signed_name = models.CharField(_("signed name"), max_length=100, blank=True)
    signature = models.TextField(_("drawn signature"), blank=True, help_text=_("PNG data URL of the drawn signature."))
    scan = models.FileField(_("signed scan"), upload_to="letters/%Y/", blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(_("signed from IP"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))

    scope_unit_field = "department"
    scope_owner_fields = ("person",)
    scope_owner_actions = ("view", "sign")

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_at__isnull=False),
                name="assets_letter_signed_has_time",
                violation_error_message=_("A signed letter records when it was signed."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.person}"

    def get_absolute_url(self):
        return reverse("assets:letter_detail", args=[self.pk])


#: The default wording of 《设备管理责任书》, from 篇1 第十条 (custodian duties, AST-10, AST-12).
DEFAULT_LETTER_BODY = """设备管理责任书

{{ organisation }}将下列信息化设备交由{{ department }} {{ person }}（以下简称“使用人”）使用和保管：

{{ items }}

根据公司《信息化管理制度》（篇1 第十条），使用人承诺：
一、使用人为上述设备的第一责任人，负责设备的日常保管、正确使用和维护，保持设备完好、整洁。
二、未经信息化主管部门同意，不私自转借、转让、调换设备，不私自拆卸、改装设备或更换配件；私自转让或变卖设备的，按设备价值的双倍赔偿（篇1 第十条(3)）。
三、因使用不当、保管不善造成设备损坏、丢失的，由使用人按规定承担赔偿责任（篇1 第十二条）。
四、设备使用人发生变更、借用、调剂的，须经信息化主管部门办理变更手续；离职、调岗时须交回全部设备及附件，经检查完好后方可办理离职手续（篇1 第九条(5)）。
五、更换设备时须先交回原设备及附件，经检查完整后方可领用新设备（篇1 第九条(4)）。

使用人（签字）：{{ person }}
日期：{{ date }}
"""


class AssetIssue(BaseModel):
    """An issue (领用) of one or several in-stock assets to a person, with its 设备出库单 (AST-03).

    The issue waits for the custodian's signature on its letter; only then the assets become
    in use and their custody periods open (services.sign_letter).
    """

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting signature")
        COMPLETED = "completed", _("Issued")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("outbound slip number"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="asset_issues",
                               verbose_name=_("custodian"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    letter = models.OneToOneField(ResponsibilityLetter, on_delete=models.PROTECT, related_name="issue",
                                  verbose_name=_("responsibility letter"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))
    completed_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("asset issue")
        verbose_name_plural = _("asset issues")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.number} {self.person}"

    def get_absolute_url(self):
        return reverse("assets:issue_detail", args=[self.pk])


class AssetIssueLine(BaseModel):
    """One device of an issue; `replaces` links a replacement to the device it replaces (AST-04)."""

    issue = models.ForeignKey(AssetIssue, on_delete=models.CASCADE, related_name="lines", verbose_name=_("issue"))
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="issue_lines",
                              verbose_name=_("asset"))
    replaces = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replaced_by_lines", verbose_name=_("replaces"))

    scope_unit_field = "issue__department"
    scope_owner_fields = ("issue__person",)

    class Meta:
        verbose_name = _("issued device")
        verbose_name_plural = _("issued devices")
        ordering = ["issue_id", "id"]

    def __str__(self):
        return f"{self.issue.number} · {self.asset}"


class AssetReturn(BaseModel):
    """A return (交回) of a device with its accessory checklist and condition, checked by IT (AST-04)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting check")
        COMPLETE = "complete", _("Checked complete")
        INCOMPLETE = "incomplete", _("Checked incomplete")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        WORN = "worn", _("Normal wear")
        DAMAGED = "damaged", _("Damaged")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="returns",
                              verbose_name=_("asset"))
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="asset_returns",
                               verbose_name=_("returned by"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    loan = models.ForeignKey("assets.AssetLoan", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="returns", verbose_name=_("loan"))
    expected_accessories = models.JSONField(_("standard accessories"), default=list, blank=True)
    returned_accessories = models.JSONField(_("accessories handed in"), default=list, blank=True)
    missing_accessories = models.JSONField(_("missing accessories"), default=list, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    notes = models.TextField(_("notes"), blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("received by"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("asset return")
        verbose_name_plural = _("asset returns")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.number} {self.asset}"

    def get_absolute_url(self):
        return reverse("assets:return_detail", args=[self.pk])


class CustodianChange(BaseModel):
    """使用变更 (AST-09, AST-10): a request to hand a device from A to B, executed by IT; B signs a new letter."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        AWAITING = "awaiting", _("Executed, awaiting signature")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="custodian_changes",
                              verbose_name=_("asset"))
    from_person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("from custodian"))
    to_person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("to custodian"))
    from_department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("from department"))
    to_department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("to department"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    letter = models.OneToOneField(ResponsibilityLetter, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="custodian_change", verbose_name=_("responsibility letter"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("executed by"))
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    scope_unit_field = "from_department"
    scope_owner_fields = ("from_person", "to_person")

    class Meta:
        verbose_name = _("custodian change")
        verbose_name_plural = _("custodian changes")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.asset}: {self.from_person} → {self.to_person}"

    def get_absolute_url(self):
        return reverse("assets:change_detail", args=[self.pk])


class AssetLoan(BaseModel):
    """借用 (AST-19): an in-stock device lent to a person until a due date, approved in the engine."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In approval")
        ON_LOAN = "on_loan", _("On loan")
        RETURNED = "returned", _("Given back")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="loans",
                              verbose_name=_("asset"))
    borrower = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="asset_loans",
                                 verbose_name=_("borrower"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    purpose = models.TextField(_("purpose"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    lent_at = models.DateTimeField(_("lent at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    last_reminded = models.DateField(_("last reminded"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))

    scope_unit_field = "department"
    scope_owner_fields = ("borrower",)

    class Meta:
        verbose_name = _("asset loan")
        verbose_name_plural = _("asset loans")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.number} {self.asset}"

    def get_absolute_url(self):
        return reverse("assets:loan_detail", args=[self.pk])


class Reallocation(BaseModel):
    """调剂 (AST-15): a device moved from one department to another, with its transfer record."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="reallocations",
                              verbose_name=_("asset"))
    from_department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("from department"))
    to_department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("to department"))
    reason = models.TextField(_("reason"))
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("executed by"))

    scope_unit_field = "from_department"

    class Meta:
        verbose_name = _("reallocation")
        verbose_name_plural = _("reallocations")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.number} {self.asset}"

    def get_absolute_url(self):
        return reverse("assets:reallocation_detail", args=[self.pk])


class PreparationTask(BaseModel):
    """Equipment preparation for a new hire (AST-06), a task of the IT authority."""

    class Status(models.TextChoices):
        OPEN = "open", _("To prepare")
        DONE = "done", _("Prepared")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="preparation_tasks",
                               verbose_name=_("new hire"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    due_date = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("done by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("equipment preparation task")
        verbose_name_plural = _("equipment preparation tasks")
        ordering = ["status", "due_date", "id"]

    def __str__(self):
        return f"{self.person}"


class Clearance(BaseModel):
    """The asset part of a leaver's clearance (离职清查, AST-07, 篇1 第九条(5))."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not signed off")
        SIGNED_OFF = "signed_off", _("Signed off")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="asset_clearances",
                               verbose_name=_("leaver"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    held_at_start = models.JSONField(_("items held when opened"), default=list, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("signed off by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    scope_unit_field = "department"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("leaver clearance")
        verbose_name_plural = _("leaver clearances")
        ordering = ["status", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="assets_one_open_clearance",
                                    violation_error_message=_("This person already has an open clearance.")),
        ]

    def __str__(self):
        return f"{self.person}"

    def get_absolute_url(self):
        return reverse("assets:clearance_detail", args=[self.pk])


class DamageIncident(BaseModel):
    """Damage, loss or theft of a device (AST-11, AST-12) with responsibility and compensation (VAR-12)."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("Damage")
        LOSS = "loss", _("Loss")
        THEFT = "theft", _("Theft")

    class Responsibility(models.TextChoices):
        NONE = "none", _("No fault (no compensation)")
        PERSONAL = "personal", _("Custodian at fault")
        ILLICIT = "illicit", _("Illicit transfer or sale (篇1 第十条(3))")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("In approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")

    class Payer(models.TextChoices):
        NONE = "", _("Nobody")
        PERSON = "person", _("Responsible person")
        DEPARTMENT = "department", _("Department")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="incidents",
                              verbose_name=_("asset"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("description"))
    responsible_person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("responsible person"))
    department = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    responsibility = models.CharField(_("responsibility"), max_length=10, choices=Responsibility.choices,
                                      default=Responsibility.PERSONAL)
    rule = models.CharField(_("compensation rule (VAR-12)"), max_length=20, blank=True)
    depreciated_value = models.DecimalField(_("depreciated value"), max_digits=14, decimal_places=2,
                                            default=Decimal("0.00"))
    compensation = models.DecimalField(_("compensation"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    payer = models.CharField(_("paid by"), max_length=12, choices=Payer.choices, default="", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reported by"))

    scope_unit_field = "department"
    scope_owner_fields = ("responsible_person",)

    class Meta:
        verbose_name = _("damage or loss incident")
        verbose_name_plural = _("damage and loss incidents")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(compensation__gte=0), name="assets_incident_compensation_not_negative",
                                   violation_error_message=_("The compensation cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.number} {self.asset}"

    def get_absolute_url(self):
        return reverse("assets:incident_detail", args=[self.pk])


#: Importable names of the choice sets (drf-spectacular ENUM_NAME_OVERRIDES in settings).
IncidentKind = DamageIncident.Kind
ReturnCondition = AssetReturn.Condition
