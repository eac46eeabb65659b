"""Kinds and statuses of the consumables domain (CON-01…09, VAR-02)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsumableCategory(models.TextChoices):
    """The six classes of low-value consumables (低值易耗品) of 篇1 第八条 (CON-01, N12)."""

    DRUM = "drum", _("Toner drum")  # 硒鼓
    INK = "ink", _("Ink cartridge")  # 墨盒
    RIBBON = "ribbon", _("Ribbon")  # 色带
    DISC = "disc", _("Optical disc")  # 光盘
    TONER = "toner", _("Toner")  # 墨粉
    PART = "part", _("Wearing part")  # 易消耗配件


class MovementKind(models.TextChoices):
    """Every change of stock is one of these, with a signed quantity (never a bare quantity field)."""

    RECEIPT = "receipt", _("Receipt")  # +, from procurement stock-in or manual
    ISSUE = "issue", _("Issue")  # −, to a department and person (CON-04)
    RETURN = "return", _("Return to stock")  # +, unused items given back
    RECYCLE = "recycle", _("Recycling return")  # empties / broken items (CON-09); stock-neutral
    ADJUSTMENT = "adjustment", _("Adjustment")  # ±, stock-take correction
    TRANSFER = "transfer", _("Transfer")  # − at the source, + at the target (two rows)


#: Kinds whose quantity changes the usable stock balance.
STOCK_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.ISSUE, MovementKind.RETURN, MovementKind.ADJUSTMENT,
                         MovementKind.TRANSFER})


class MovementStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    PENDING = "pending", _("Awaiting over-quota approval")
    REJECTED = "rejected", _("Rejected")


class RecycleCondition(models.TextChoices):
    EMPTY = "empty", _("Empty")
    BROKEN = "broken", _("Broken")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class PlanVariant(models.TextChoices):
    """VAR-02: (A) monthly batch from the historical monthly average (篇1 第九条(6));
    (B) quarterly 《耗材采购季度计划》 drafted at quarter start (篇14 第十九条)."""

    A = "A", _("Monthly batch sized from the historical monthly average")
    B = "B", _("Quarterly plan (《耗材采购季度计划》) drafted at quarter start")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("In approval")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPROVED = "approved", _("Approved")  # and turned into a purchase request


PLAN_STATUS_COLORS = {
    PlanStatus.DRAFT: "secondary",
    PlanStatus.SUBMITTED: "blue",
    PlanStatus.RETURNED: "orange",
    PlanStatus.REJECTED: "red",
    PlanStatus.WITHDRAWN: "secondary",
    PlanStatus.APPROVED: "green",
}
