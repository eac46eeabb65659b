"""What the account/audit area contributes to the shared UI and the role catalogue
(called from CoreConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import MenuItem, register_menu


def register() -> None:
    from . import authentication  # noqa: F401  (registers the OpenAPI security schemes)

    register_menu(
        "system", _("System"), "settings",
        [
            MenuItem(_("Change log"), "audit:log", "history", model="core.ChangeLogEntry", action="view"),
            MenuItem(_("Locked accounts"), "account-lockouts", "lock-open", model="axes.AccessAttempt",
                     action="delete"),
            # Every user may start background work (any list's large export), so everyone gets the
            # link; checking "has jobs" would cost a query on every page (pinned query counts).
            MenuItem(_("My background jobs"), "background_jobs", "progress", any_user=True),
        ],
        order=900,
    )
    try:
        from zhidu.org.roles import extend_role_permissions
    except ImportError:  # pragma: no cover
        return
    # The IT authority unlocks accounts locked after failed sign-ins (issue #2 §5).
    unlock = ["axes.view_accessattempt", "axes.delete_accessattempt"]
    extend_role_permissions("it_staff", unlock)
    extend_role_permissions("it_authority_head", unlock)
