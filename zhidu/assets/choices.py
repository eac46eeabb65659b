from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    """The hardware categories of the regulations (AST-01, 篇1 第八条) plus what schools add (SCH)."""

    COMPUTER = "computer", _("Computer equipment")
    NETWORK = "network", _("Network equipment")
    OFFICE = "office", _("Intelligent office equipment")
    DIGITAL = "digital", _("Digital equipment")
    PERIPHERAL = "peripheral", _("Peripherals and auxiliary facilities")
    SERVER = "server", _("Servers and storage")
    PUBLIC = "public", _("Public equipment")
    TEACHING = "teaching", _("E-teaching equipment")
    OTHER = "other", _("Other")


class AssetStatus(models.TextChoices):
    """Where an asset is in its life. Changed only by services (see workflows.py)."""

    IN_STOCK = "in_stock", _("In stock")
    IN_USE = "in_use", _("In use")
    ON_LOAN = "on_loan", _("On loan")
    IN_REPAIR = "in_repair", _("In repair")
    RETURN_PENDING = "return_pending", _("Returned, awaiting check")
    LOST = "lost", _("Lost")
    TO_DISPOSE = "to_dispose", _("Awaiting disposal")
    DISPOSED = "disposed", _("Disposed")


class FieldType(models.TextChoices):
    """Types of the configurable per-category fields (AST-01, AST-02)."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOL = "bool", _("Yes/no")


#: Badge colours of the statuses (Tabler colour names).
STATUS_COLORS = {
    AssetStatus.IN_STOCK: "blue",
    AssetStatus.IN_USE: "green",
    AssetStatus.ON_LOAN: "cyan",
    AssetStatus.IN_REPAIR: "orange",
    AssetStatus.RETURN_PENDING: "yellow",
    AssetStatus.LOST: "red",
    AssetStatus.TO_DISPOSE: "purple",
    AssetStatus.DISPOSED: "secondary",
}
