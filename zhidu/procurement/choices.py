"""Statuses and kinds of the procurement domain (PRC-01…PRC-17, VAR-01)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    """The two paper forms the regulations name (PRC-04, PRC-05)."""

    APPLICATION = "application", _("IT configuration application")  # 《信息化配置申请》 篇14/5 第十四条
    PLAN = "plan", _("IT configuration demand plan")  # 《信息化配置需求计划》 篇14/5 第九条


class RequestStatus(models.TextChoices):
    """Lifecycle of a purchase request; the transitions live in `workflows.py`."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("In approval")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPROVED = "approved", _("Approved")
    REALLOCATED = "reallocated", _("Reallocated from stock")
    QUOTING = "quoting", _("Comparing quotations")
    ORDERED = "ordered", _("Ordered")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
    ACCEPTED = "accepted", _("Accepted")
    STOCKED_IN = "stocked_in", _("Stocked in")
    REIMBURSED = "reimbursed", _("Reimbursed")
    CLOSED = "closed", _("Closed")


# Bootstrap/Tabler colour of each status badge.
STATUS_COLORS = {
    RequestStatus.DRAFT: "secondary",
    RequestStatus.SUBMITTED: "blue",
    RequestStatus.RETURNED: "orange",
    RequestStatus.REJECTED: "red",
    RequestStatus.WITHDRAWN: "secondary",
    RequestStatus.APPROVED: "green",
    RequestStatus.REALLOCATED: "teal",
    RequestStatus.QUOTING: "cyan",
    RequestStatus.ORDERED: "indigo",
    RequestStatus.PARTIALLY_ACCEPTED: "yellow",
    RequestStatus.ACCEPTED: "lime",
    RequestStatus.STOCKED_IN: "purple",
    RequestStatus.REIMBURSED: "pink",
    RequestStatus.CLOSED: "dark",
}


class ApprovalChoice(models.TextChoices):
    """What the approvers decided to do with an approved request (PRC-05, VAR-01 B)."""

    PURCHASE = "purchase", _("Purchase")
    REALLOCATE = "reallocate", _("Reallocate from existing stock")  # 调剂


class LineCategory(models.TextChoices):
    """Categories of requested items. Infrastructure ones are restricted (PRC-09)."""

    COMPUTER = "computer", _("Computer")
    NETWORK_DEVICE = "network_device", _("Network device")
    OFFICE_DEVICE = "office_device", _("Office device")
    DIGITAL_DEVICE = "digital_device", _("Digital device")
    SOFTWARE = "software", _("Software")
    CONSUMABLE = "consumable", _("Consumable")
    SERVER = "server", _("Server")
    STORAGE = "storage", _("Storage")
    NETWORK_CORE = "network_core", _("Core network equipment")
    OTHER = "other", _("Other")


# PRC-09 (篇2 第八条; 篇8 三(2)): infrastructure hardware is declared centrally by the IT
# authority; other departments cannot request it directly.
INFRASTRUCTURE_CATEGORIES = frozenset({LineCategory.SERVER, LineCategory.STORAGE, LineCategory.NETWORK_CORE})


class RejectedAction(models.TextChoices):
    """What happens to goods that fail acceptance (PRC-12: 不合格的退货或换货)."""

    RETURN = "return", _("Return to supplier")
    EXCHANGE = "exchange", _("Exchange")


class FilingStatus(models.TextChoices):
    """Self-purchase filing with the IT authority (PRC-02, PRC-07)."""

    UNFILED = "unfiled", _("Awaiting filing")
    FILED = "filed", _("Filed")


class RoutingVariant(models.TextChoices):
    """Purchase approval routing variants of the catalogue (VAR-01)."""

    A = "A", _("(A) By single-contract amount: up to the threshold the IT supervising leader, above it the CFO")
    B = "B", _("(B) IT authority review, then the general manager, with no amount threshold")
    C = "C", _("(C) IT authority review, company plan approval, then parent-company approval")
