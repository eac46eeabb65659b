"""Statuses and kinds of the disposal domain (DSP-01…08, VAR-05)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScrapStatus(models.TextChoices):
    """The life of a scrapping request (报废申请单). Transitions in workflows.py."""

    DRAFT = "draft", _("Draft")
    APPRAISAL = "appraisal", _("Awaiting appraisal")
    APPROVAL = "approval", _("In approval")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved, awaiting recovery")
    RECOVERED = "recovered", _("Recovered, awaiting disposal")
    DISPOSED = "disposed", _("Disposed")
    REPAIR = "repair", _("Closed: to repair")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STATUS_COLORS = {
    "draft": "secondary", "appraisal": "cyan", "approval": "blue", "returned": "orange", "approved": "indigo",
    "recovered": "purple", "disposed": "green", "repair": "teal", "rejected": "red", "withdrawn": "dark",
}

#: Statuses in which a request is still running (an asset may be on one running request only).
OPEN_STATUSES = ("draft", "appraisal", "approval", "returned", "approved", "recovered")


class LineKind(models.TextChoices):
    HARDWARE = "hardware", _("Hardware asset")
    SOFTWARE = "software", _("Software licence")


class Verdict(models.TextChoices):
    """The IT authority's appraisal (鉴定) of one item (DSP-02, 篇1 第二十九条)."""

    PENDING = "", _("Not appraised")
    REPAIR = "repair", _("Repair")
    SCRAP = "scrap", _("Scrap")


class LineOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    TO_REPAIR = "to_repair", _("Back to repair")
    NOT_APPROVED = "not_approved", _("Scrapping not approved")
    APPROVED = "approved", _("Approved for scrapping")
    RECOVERED = "recovered", _("Recovered")
    DISPOSED = "disposed", _("Disposed")


class SanitisationMethod(models.TextChoices):
    """How the data was removed before the device leaves (DSP-07, 篇13 3②)."""

    OVERWRITE = "overwrite", _("Overwrite (secure erase)")
    DEGAUSS = "degauss", _("Degauss")
    DESTRUCTION = "destruction", _("Physical destruction")
    NOT_APPLICABLE = "not_applicable", _("Not applicable: no storage")


class DisposalMethod(models.TextChoices):
    SALE = "sale", _("Sale")
    RECYCLING = "recycling", _("Recycling company")
    DONATION = "donation", _("Donation")
    DESTRUCTION = "destruction", _("Destruction")
    RETURN = "return", _("Return to supplier")


class RoutingVariant(models.TextChoices):
    """VAR-05: who approves a scrapping."""

    A = "A", _("(A) IT authority appraisal, then the company fixed-asset scrapping process")
    B = "B", _("(B) 办公室 review, then the company supervising leader (篇14/5 第十八条)")
    C = "C", _("(C) School: the IT head submits to the school leader (篇12)")
