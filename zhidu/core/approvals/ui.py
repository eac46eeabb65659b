"""What the approval engine and the regulation parameters contribute at start-up
(called from CoreConfig.ready()): their parameters, menu entries, the home panel and role permissions."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import HomePanel, MenuItem, register_home_panel, register_menu

HOME_PANEL_LIMIT = 20


def waiting_for_me_panel(request):
    """Home panel "waiting for my approval": my open tasks with subject link, requester, amount (when the
    request's facts have one), due time and an overdue badge. A fixed number of queries whatever the
    number of tasks: the person, the tasks (with request and requester), one per subject type, and a
    count only when the list is cut."""
    from .selectors import open_tasks_for

    tasks = list(open_tasks_for(request.user)[: HOME_PANEL_LIMIT + 1])
    if not tasks:
        return None
    more = len(tasks) > HOME_PANEL_LIMIT
    tasks = tasks[:HOME_PANEL_LIMIT]
    now = timezone.now()
    for task in tasks:
        task.overdue = task.is_overdue(now)
        subject = task.request.subject
        task.subject_url = getattr(subject, "get_absolute_url", None) and subject.get_absolute_url()
        task.amount = (task.request.context_data or {}).get("amount")
    total = open_tasks_for(request.user).count() if more else len(tasks)
    return {"tasks": tasks, "total": total, "more": more, "title": _("Waiting for my approval")}


def register() -> None:
    from zhidu.core.params import definitions  # noqa: F401  (the package connects its cache signals)

    from . import parameters

    parameters.define_all()
    register_menu(
        "system", _("System"), "settings",
        [
            MenuItem(_("Regulation parameters"), "params:list", "adjustments", model="core.ParameterValue",
                     action="view"),
            MenuItem(_("Approval policies"), "approvals:policy_list", "route", model="core.ApprovalPolicy",
                     action="view"),
        ],
        order=900,
    )
    register_menu(
        "approvals", _("Approvals"), "checkbox",
        [
            MenuItem(_("My approvals"), "approvals:my_tasks", "checkbox", any_user=True),
            MenuItem(_("My delegations"), "approvals:delegations", "user-share", any_user=True),
        ],
        order=20,
    )
    register_home_panel(HomePanel(key="approvals.waiting", template="approvals/_home_panel.html",
                                  build=waiting_for_me_panel, order=10))
    try:
        from zhidu.org.roles import extend_role_permissions
    except ImportError:  # pragma: no cover
        return
    admin = ["core.view_approvalpolicy", "core.change_approvalpolicy", "core.add_approvalpolicy",
             "core.view_approvalpolicyversion", "core.view_parametervalue", "core.change_parametervalue"]
    extend_role_permissions("it_authority_head", admin)
    extend_role_permissions("auditor", ["core.view_approvalpolicy", "core.view_approvalpolicyversion",
                                        "core.view_parametervalue", "core.view_approvalrequest"])
