"""What consumables contributes to the menu, the home page, the timeline and the roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import HomePanel, MenuItem, register_home_panel, register_menu


def keeper_panel(request):
    """Home panel for the consumables keeper: low stock and over-quota issues awaiting approval."""
    from zhidu.core.scoping import has_perm_anywhere

    from . import selectors
    from .choices import MovementStatus
    from .models import Movement

    if not has_perm_anywhere(request.user, Movement, "issue"):
        return None
    low = list(selectors.low_stock()[:10])
    pending = list(Movement.objects.filter(status=MovementStatus.PENDING)
                   .select_related("item", "department", "person")[:10])
    for movement in pending:
        movement.abs_quantity = abs(movement.quantity)
    return {"low_stock": low, "pending": pending, "title": _("Consumables")}


def register() -> None:
    register_menu(
        "consumables", _("Consumables management"), "printer",
        [
            MenuItem(_("Catalogue"), "consumables:item_list", "list", any_user=True),
            MenuItem(_("Stock by location"), "consumables:stock_list", "building-warehouse",
                     model="consumables.StockBalance"),
            MenuItem(_("Consumables ledger"), "consumables:movement_list", "list-details", any_user=True),
            MenuItem(_("Issue"), "consumables:issue", "arrow-up-right", model="consumables.Movement", action="issue"),
            MenuItem(_("Receipt"), "consumables:receipt", "arrow-down-left", model="consumables.Movement",
                     action="add"),
            MenuItem(_("Recycling list"), "consumables:recycle_list", "recycle", model="consumables.Movement"),
            MenuItem(_("Low stock"), "consumables:low_stock", "alert-triangle", model="consumables.StockBalance"),
            MenuItem(_("Quotas"), "consumables:quota_list", "gauge", model="consumables.Quota"),
            MenuItem(_("Usage by department"), "consumables:usage", "chart-bar", model="consumables.Movement"),
            MenuItem(_("Quota review"), "consumables:review", "chart-histogram", model="consumables.Quota"),
            MenuItem(_("Purchase plans"), "consumables:plan_list", "calendar-stats", model="consumables.PurchasePlan"),
        ],
        order=45,
    )
    register_home_panel(HomePanel(key="consumables.keeper", template="consumables/_home_keeper.html",
                                  build=keeper_panel, order=60))
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in [
            ("received", _("Received into stock"), "arrow-down-left", "green"),
            ("issued", _("Issued"), "arrow-up-right", "blue"),
            ("returned", _("Returned to stock"), "arrow-back-up", "teal"),
            ("recycled", _("Returned for recycling"), "recycle", "lime"),
            ("adjusted", _("Stock adjusted"), "adjustments", "orange"),
            ("purchase_requested", _("Purchase request created"), "shopping-cart", "indigo"),
        ]:
            register_verb(verb, label, icon=icon, color=color)
    from zhidu.org.roles import extend_role_permissions

    models = ("consumableitem", "stockbalance", "movement", "quota", "need", "purchaseplan", "planline")
    extend_role_permissions("consumables_keeper", [
        *(f"consumables.{a}_{m}" for m in models for a in ("view", "add", "change", "delete")),
        "consumables.issue_movement",
    ])
    extend_role_permissions("it_staff", [*(f"consumables.view_{m}" for m in models),
                                         "consumables.add_movement", "consumables.add_need"])
    extend_role_permissions("dept_head", ["consumables.view_movement", "consumables.view_quota",
                                          "consumables.view_need", "consumables.add_need"])
    extend_role_permissions("dept_it_officer", ["consumables.view_need", "consumables.add_need"])
    extend_role_permissions("it_authority_head", [*(f"consumables.view_{m}" for m in models)])
