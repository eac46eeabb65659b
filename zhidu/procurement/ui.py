"""What procurement contributes to the shared UI and the role catalogue (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import HomePanel, MenuItem, register_home_panel, register_menu


def my_requests_panel(request):
    """Home panel "my purchase requests": the latest ones with status badges (2 queries)."""
    from zhidu.core.scoping import user_person_id

    from .choices import STATUS_COLORS
    from .selectors import my_requests

    person_id = user_person_id(request.user)
    if person_id is None:
        return None
    rows = list(my_requests(person_id))
    for row in rows:
        row.status_color = STATUS_COLORS.get(row.status, "secondary")
    return {"requests": rows, "title": _("My purchase requests")}


def register() -> None:
    register_menu(
        "procurement", _("Procurement"), "shopping-cart",
        [
            MenuItem(_("Purchase requests"), "procurement:request_list", "file-invoice", any_user=True),
            MenuItem(_("New purchase request"), "procurement:request_create", "plus",
                     model="procurement.PurchaseRequest", action="add"),
            MenuItem(_("Self-purchase filings"), "procurement:filing_list", "file-certificate", any_user=True),
            MenuItem(_("Self-purchases awaiting filing"), "procurement:filing_awaiting", "file-alert",
                     model="procurement.SelfPurchaseFiling", action="file"),
        ],
        order=30,
    )
    register_home_panel(HomePanel(key="procurement.my_requests", template="procurement/_home_my_requests.html",
                                  build=my_requests_panel, order=50))
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in [
            ("created", _("Created"), "file-plus", "secondary"),
            ("quotation_added", _("Quotation recorded"), "receipt", "cyan"),
            ("quotations_waived", _("Quotation minimum waived"), "file-off", "orange"),
            ("ordered", _("Order / contract signed"), "file-text", "indigo"),
            ("accepted", _("Goods accepted"), "clipboard-check", "lime"),
            ("stocked_in", _("Stocked in"), "building-warehouse", "purple"),
            ("reimbursed", _("Reimbursed"), "cash", "pink"),
            ("closed", _("Closed"), "lock", "dark"),
            ("reallocated", _("Reallocated from stock"), "arrows-shuffle", "teal"),
            ("registered", _("Registered for filing"), "file-certificate", "secondary"),
            ("filed", _("Filed"), "circle-check", "green"),
        ]:
            register_verb(verb, label, icon=icon, color=color)
    try:
        from zhidu.org.roles import extend_role_permissions
    except ImportError:  # pragma: no cover
        return
    processing = ["procurement.process_purchaserequest", "procurement.submit_purchaserequest",
                  "procurement.file_selfpurchasefiling"]
    extend_role_permissions("it_staff", processing)
    extend_role_permissions("it_authority_head", processing)
    extend_role_permissions("finance", ["procurement.reimburse_purchaserequest"])
    extend_role_permissions("dept_it_officer", ["procurement.submit_purchaserequest", "procurement.add_selfpurchasefiling",
                                                "procurement.change_selfpurchasefiling"])
    extend_role_permissions("dept_head", ["procurement.add_selfpurchasefiling"])
