from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """Org unit types found in the regulations (GOV-01)."""

    GROUP = "group", _("Group / head office")
    COMPANY = "company", _("Company")
    BRANCH = "branch", _("Branch")
    SUBSIDIARY = "subsidiary", _("Second-level company")
    PARENT = "parent", _("Parent organisation")
    DEPARTMENT = "department", _("Department")
    SECTION = "section", _("Section")
    SCHOOL = "school", _("School")
    GRADE = "grade", _("Grade")
    CLASS = "class", _("Class")
    LAB = "lab", _("Lab / special classroom")
    GROUP_BODY = "committee", _("Steering group / committee")


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("Employed")
    ONBOARDING = "onboarding", _("Joining")
    LEAVING = "leaving", _("Leaving")
    LEFT = "left", _("Left")


#: Statuses in which a person works here: their roles count (scoping, approvals).
CURRENT_STATUSES = (EmploymentStatus.ACTIVE, EmploymentStatus.ONBOARDING, EmploymentStatus.LEAVING)

#: The employment lifecycle: allowed status changes (hire → leave, and re-hire).
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EmploymentStatus.ONBOARDING: (EmploymentStatus.ACTIVE, EmploymentStatus.LEFT),
    EmploymentStatus.ACTIVE: (EmploymentStatus.LEAVING, EmploymentStatus.LEFT),
    EmploymentStatus.LEAVING: (EmploymentStatus.ACTIVE, EmploymentStatus.LEFT),
    EmploymentStatus.LEFT: (EmploymentStatus.ONBOARDING, EmploymentStatus.ACTIVE),
}


class RoleScope(models.TextChoices):
    """Where a role is usually held: across the organisation, or in one unit (with its subtree)."""

    ORG = "org", _("Whole organisation")
    UNIT = "unit", _("One unit")
