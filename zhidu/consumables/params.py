"""Regulation parameters of consumables (VAR-02; §26 N05, N06, N33).

Declared in `ConsumablesConfig.ready()`; services read them with `value(key)`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import PlanVariant

OVER_QUOTA_PROCESS = "consumables.over_quota"
PLAN_PROCESS = "consumables.purchase_plan"

DEFAULTS = {
    "consumables.plan_variant": PlanVariant.B.value,
    "consumables.average_months": 3,
    "consumables.over_quota_requires_approval": False,
    "consumables.warehouse_code": "",
}


def value(key: str):
    from zhidu.core import params

    try:
        return params.get(key)
    except Exception:  # noqa: BLE001 - parameters not set up yet (e.g. during migrations)
        return DEFAULTS[key]


def define_all() -> None:
    from zhidu.core import params

    group = _("Consumables")
    params.define(
        key="consumables.plan_variant",
        kind=params.Kind.CHOICE,
        default=DEFAULTS["consumables.plan_variant"],
        label=_("Consumables purchase cycle"),
        article="篇1 第九条(6); 篇14 第十九条",
        requirement="VAR-02, CON-02, CON-03, N05, N33",
        help=_("(A) one batch a month, sized from the historical monthly average consumption plus department "
               "requests; (B) the quarterly 《耗材采购季度计划》 drafted at the start of each quarter from stock and "
               "needs. The periodic job drafts the plan of the chosen cycle on the first working day of the period."),
        group=group,
        choices=list(PlanVariant.choices),
    )
    params.define(
        key="consumables.average_months",
        kind=params.Kind.INTEGER,
        default=DEFAULTS["consumables.average_months"],
        label=_("Months averaged to size consumables purchases"),
        article="篇1 第九条(6)",
        requirement="CON-02, N06",
        help=_("The historical monthly average consumption (历史月平均消耗量) is taken over this many full months "
               "before the plan's period."),
        group=group,
    )
    params.define(
        key="consumables.over_quota_requires_approval",
        kind=params.Kind.BOOL,
        default=DEFAULTS["consumables.over_quota_requires_approval"],
        label=_("Over-quota issues need approval"),
        article="篇14 第十九条 ¶2",
        requirement="CON-05",
        help=_("Off: an issue beyond the department's quota is recorded and flagged. On: it waits for approval "
               "(process “consumables.over_quota”) and the stock only moves once approved."),
        group=group,
    )
