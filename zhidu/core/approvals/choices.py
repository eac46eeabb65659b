"""Statuses, decisions, resolvers and modes of the approval engine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("In approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for changes")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Closed without decision")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for changes")


class Resolver(models.TextChoices):
    """Who decides a step (DESIGN "The approval engine")."""

    ROLE_CHAIN = "role_chain", _("Role in the requester's department or its parents")
    ROLE_ORG = "role_org", _("Role, organisation-wide")
    OWNER_DEPARTMENT = "owner_department", _("Business owner department (head or role)")
    PERSON = "person", _("Named person")


class Mode(models.TextChoices):
    ANY = "any", _("Any one (或签)")
    ALL = "all", _("All (会签)")


class Operator(models.TextChoices):
    EQ = "eq", "="
    NE = "ne", "≠"
    LT = "lt", "<"
    LTE = "lte", "≤"
    GT = "gt", ">"
    GTE = "gte", "≥"
    IN = "in", _("in")


class Match(models.TextChoices):
    ALL = "all", _("all conditions hold")
    ANY = "any", _("any condition holds")


OPEN_STATUSES = (TaskStatus.OPEN,)
FINISHED_REQUEST_STATUSES = (
    RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED, RequestStatus.WITHDRAWN,
)
