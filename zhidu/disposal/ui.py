"""What disposal contributes to the shared UI and the role catalogue (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import MenuItem, register_menu

VERBS = [
    ("appraised", _("Appraised (鉴定)"), "stethoscope", "cyan"),
    ("scrap_repair", _("Back to repair"), "tool", "teal"),
    ("recovered", _("Recovered"), "truck-return", "purple"),
    ("scrap_recovered", _("Recovered for scrapping"), "truck-return", "purple"),
    ("sanitised", _("Data sanitised"), "eraser", "orange"),
    ("disposed", _("Disposed"), "recycle", "green"),
]


def register() -> None:
    register_menu(
        "disposal", _("Disposal"), "recycle",
        [
            MenuItem(_("Scrapping requests"), "disposal:request_list", "file-x", any_user=True),
            MenuItem(_("New scrapping request"), "disposal:request_create", "plus",
                     model="disposal.ScrapRequest", action="add"),
            MenuItem(_("Disposal records"), "disposal:record_list", "recycle", model="disposal.DisposalRecord"),
            MenuItem(_("Disposals by year"), "disposal:report", "chart-bar", model="disposal.DisposalRecord"),
        ],
        order=60,
    )
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in VERBS:
            register_verb(verb, label, icon=icon, color=color)
    from zhidu.org.roles import extend_role_permissions

    full = ["disposal.view_*", "disposal.add_*", "disposal.change_*", "disposal.delete_*",
            "disposal.submit_scraprequest", "disposal.appraise_scraprequest", "disposal.process_scraprequest"]
    extend_role_permissions("it_staff", full)
    extend_role_permissions("it_authority_head", full)
    department = ["disposal.view_*", "disposal.add_scraprequest", "disposal.submit_scraprequest"]
    extend_role_permissions("dept_head", department)
    extend_role_permissions("dept_it_officer", department)
    # Approvers of the VAR-05 chains see requests through their tasks (scope_participant_q);
    # the auditor's "*.view_*" covers disposal already.
