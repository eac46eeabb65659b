"""Who may use the organisation-wide security pages.

These pages show or change things of the whole organisation (every account's lockout, the
complete change log), so a permission counts only when it is held org-wide: a role
assignment without a unit (DESIGN rule 6). A department head whose role covers one
department does not get them.
"""

from django.core.exceptions import PermissionDenied

from zhidu.core.scoping import grants

UNLOCK_PERMISSION = "axes.delete_accessattempt"
LOG_PERMISSION = "core.view_changelogentry"


def holds_org_wide(user, perm: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(grant.unit_id is None for grant in grants(user, perm))


def can_manage_lockouts(user) -> bool:
    """Superusers and the IT authority (roles `it_staff`, `it_authority_head` hold the permission)."""
    return holds_org_wide(user, UNLOCK_PERMISSION)


def can_view_global_log(user) -> bool:
    """Superusers and auditors (role `auditor` holds core.view_changelogentry org-wide)."""
    return holds_org_wide(user, LOG_PERMISSION)


def require(check, user) -> None:
    if not check(user):
        raise PermissionDenied
