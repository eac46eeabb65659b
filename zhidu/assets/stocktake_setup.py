"""What stock-takes and inspections contribute at start-up (called from AssetsConfig.ready()):
regulation parameters, the approval process of adjustments with its default preset, menu
entries, timeline verbs and role permissions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

ADJUSTMENT_PROCESS = "assets.stocktake_adjustment"
_done = False


def define_params() -> None:
    from zhidu.core import params

    group = _("Equipment ledger")
    if not params.is_defined("assets.inspection_period_days"):
        params.define(
            key="assets.inspection_period_days", kind=params.Kind.DAYS, default=90,
            label=_("Equipment patrol period (定期巡检)"), article="篇1 第十条(8)", requirement="AUD-01",
            help=_("A location holding equipment is overdue for a patrol inspection when its last completed "
                   "round is older than this."),
            group=group, min_value=1,
        )
    if not params.is_defined("assets.stocktake_period_days"):
        params.define(
            key="assets.stocktake_period_days", kind=params.Kind.DAYS, default=365,
            label=_("Stock-take period (定期清查)"), article="篇6 第三条(22)", requirement="AST-17, SCH-06",
            help=_("Equipment is counted at least this often; a stock-take is also due after every reallocation."),
            group=group, min_value=1,
        )


def _context(plan) -> dict:
    from .services.stocktake import plan_results

    results = plan_results(plan)
    return {"department": plan.department, "differences": results.differences,
            "missing": len(results.missing), "kind": plan.kind}


def register_process() -> None:
    from zhidu.core.approvals.presets import Preset, _step, register_preset
    from zhidu.core.approvals.registry import ProcessType
    from zhidu.core.approvals.registry import register_process as register

    from .services import stocktake as services

    register(ProcessType(
        key=ADJUSTMENT_PROCESS, label=_("Stock-take adjustments"), model="assets.StocktakePlan",
        context=_context, on_approved=services.on_approved, on_rejected=services.on_rejected,
        on_returned=services.on_returned, on_withdrawn=services.on_withdrawn,
        fields=[("differences", _("Number of differences")), ("missing", _("Missing assets")),
                ("department", _("Department counted"))],
        description=_("Ledger adjustments after a stock-take (账物一致, AST-16, 篇6 第三条(8))"),
    ), replace=True)
    register_preset(Preset(
        process_key=ADJUSTMENT_PROCESS, variant="default",
        label=_("Review by the IT authority head"), article="篇6 第三条(8)", requirement="AST-16",
        policy_name=_("Stock-take adjustment review"),
        definition={"rules": [{
            "name": N_("Every stock-take"), "condition": {"all": []},
            "steps": [_step("it_authority", N_("IT authority head review"), resolver="role_org",
                            role="it_authority_head", opinion_required=False)],
        }]},
    ))


def register_ui() -> None:
    from zhidu.core.registry import MenuItem, register_menu

    register_menu("assets", _("Equipment"), "device-desktop", [
        MenuItem(_("Stock-takes"), "assets:stocktake_list", "list-check", model="assets.StocktakePlan"),
        MenuItem(_("Patrol inspections"), "assets:inspection_list", "walk", model="assets.InspectionRound"),
    ], order=40)
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in [
            ("counting_started", _("Counting started"), "scan", "blue"),
            ("counting_finished", _("Counting finished"), "list-check", "cyan"),
            ("adjustments_applied", _("Adjustments applied to the ledger"), "database-edit", "green"),
            ("stocktake_lost", _("Marked lost by a stock-take"), "alert-triangle", "red"),
            ("stocktake_adjusted", _("Ledger corrected by a stock-take"), "database-edit", "teal"),
            ("stocktake_noted", _("Stock-take note"), "note", "secondary"),
            ("completed", _("Completed"), "circle-check", "green"),
        ]:
            register_verb(verb, label, icon=icon, color=color)
    try:
        from zhidu.org.roles import extend_role_permissions
    except ImportError:  # pragma: no cover
        return
    full = ["assets.view_stocktakeplan", "assets.add_stocktakeplan", "assets.change_stocktakeplan",
            "assets.delete_stocktakeplan", "assets.count_stocktakeplan", "assets.reconcile_stocktakeplan",
            "assets.view_stocktakeline", "assets.view_stocktakeadjustment", "assets.change_stocktakeadjustment",
            "assets.view_inspectionround", "assets.add_inspectionround", "assets.change_inspectionround",
            "assets.view_inspectionfinding", "assets.add_inspectionfinding"]
    extend_role_permissions("it_staff", full)
    extend_role_permissions("it_authority_head", full)
    # Departments cooperate (AUD-01): their IT officer counts on a phone and sees the results.
    extend_role_permissions("dept_it_officer", ["assets.view_stocktakeplan", "assets.count_stocktakeplan",
                                                "assets.view_stocktakeline", "assets.view_inspectionround"])
    extend_role_permissions("dept_head", ["assets.view_stocktakeplan", "assets.view_inspectionround"])


def register() -> None:
    global _done
    if _done:
        return
    _done = True
    define_params()
    register_process()
    register_ui()
