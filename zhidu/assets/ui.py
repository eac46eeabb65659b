"""What the ledger contributes to the shared UI and the role catalogue (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import HomePanel, MenuItem, register_home_panel, register_menu

#: Role permissions of the ledger (issue #3 §8): the IT authority runs the ledger; department
#: heads and information officers see their department's devices (scope); auditors see all;
#: every employee sees what they hold (owner rule: Asset.scope_owner_fields = custodian).
LEDGER_MODELS = ("asset", "assetcategory", "assetmodel", "supplier", "location", "custodyperiod")
ROLE_PERMISSIONS = {
    "it_staff": ["assets.*"],
    "it_authority_head": ["assets.*"],
    "dept_head": ["assets.view_asset", "assets.view_custodyperiod", "assets.view_subledger",
                  "assets.view_subledgerhandover"],
    "dept_it_officer": ["assets.view_asset", "assets.view_custodyperiod", "assets.view_subledger",
                        "assets.view_subledgerhandover"],
    "auditor": ["assets.view_*"],
}


def my_assets_panel(request):
    """Home panel "my equipment": what is assigned to me (2 queries), hidden when nothing is."""
    from zhidu.core.scoping import user_person_id

    from .choices import STATUS_COLORS
    from .selectors import my_assets

    person_id = user_person_id(request.user)
    if person_id is None:
        return None
    queryset = my_assets(person_id)
    rows = list(queryset[:6])
    if not rows:
        return None
    for row in rows:
        row.status_color = STATUS_COLORS.get(row.status, "secondary")
    total = len(rows) if len(rows) < 6 else queryset.count()
    return {"assets": rows, "total": total, "title": _("My equipment")}


def register() -> None:
    register_menu(
        "assets", _("Equipment ledger"), "device-desktop",
        [
            MenuItem(_("My equipment"), "assets:my_assets", "device-laptop", any_user=True),
            MenuItem(_("Asset ledger"), "assets:asset_list", "list-details", model="assets.Asset"),
            MenuItem(_("New asset"), "assets:asset_create", "plus", model="assets.Asset", action="add"),
            MenuItem(_("Equipment dashboard"), "assets:dashboard", "chart-pie", model="assets.Asset"),
            MenuItem(_("Asset categories"), "assets:category_list", "category", model="assets.AssetCategory"),
            MenuItem(_("Asset models"), "assets:model_list", "cpu", model="assets.AssetModel"),
            MenuItem(_("Suppliers"), "assets:supplier_list", "truck", model="assets.Supplier"),
            MenuItem(_("Locations"), "assets:location_list", "map-pin", model="assets.Location"),
            MenuItem(_("Sub-ledgers"), "assets:subledger_list", "books", model="assets.SubLedger"),
            MenuItem(_("General ledger and sub-ledgers"), "assets:ledger_summary", "report-money",
                     model="assets.SubLedger"),
            MenuItem(_("Equipment handover lists"), "assets:handover_list", "arrows-exchange",
                     model="assets.SubLedgerHandover"),
            MenuItem(_("Instrument usage log"), "assets:usage_list", "clock-play", model="assets.InstrumentUsage"),
            MenuItem(_("Instrument utilisation"), "assets:usage_utilisation", "chart-bar",
                     model="assets.InstrumentUsage"),
        ],
        order=35,
    )
    register_home_panel(HomePanel(key="assets.my_assets", template="assets/_home_my_assets.html",
                                  build=my_assets_panel, order=60))
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in [
            ("asset_registered", _("Asset card registered"), "file-plus", "secondary"),
            ("asset_stocked_in", _("Taken into stock"), "building-warehouse", "purple"),
            ("capitalised", _("Capitalised (转固)"), "building-bank", "indigo"),
        ]:
            register_verb(verb, label, icon=icon, color=color)
    from . import subledger_setup  # sub-ledgers and handover lists (SCH-08, SCH-10)

    subledger_setup.register()
    from zhidu.org.roles import extend_role_permissions

    for role, patterns in ROLE_PERMISSIONS.items():
        extend_role_permissions(role, patterns)
