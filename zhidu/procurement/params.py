"""Regulation parameters of procurement (catalogue §24 VAR-01, §26 N03/N04/N37).

Declared in `ProcurementConfig.ready()` through `zhidu.core.params.define`; services read them
through `value(key)`, never as constants.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .choices import RoutingVariant

PROCESS_KEY = "procurement.purchase"

DEFAULTS = {
    "procurement.routing_variant": RoutingVariant.A.value,
    "procurement.approval_threshold": Decimal("50000.00"),
    "procurement.min_quotations": 3,
    "procurement.restrict_infrastructure": True,
}


def value(key: str):
    """The organisation's value of a procurement parameter (stored value or default)."""
    from zhidu.core import params

    return params.get(key)


def apply_routing_variant(*, parameter=None, old=None, new=None, actor=None, **kwargs):
    """on_change of `procurement.routing_variant`: make the chosen VAR-01 preset the active policy."""
    from .approval import apply_preset

    apply_preset(str(new), actor=actor)


def define_all() -> None:
    from zhidu.core import params

    group = _("Procurement")
    params.define(
        key="procurement.routing_variant",
        kind=params.Kind.CHOICE,
        default=DEFAULTS["procurement.routing_variant"],
        label=_("Purchase approval routing"),
        article="篇1 第九条(2); 篇14/5 第九条, 第十四条",
        requirement="VAR-01, PRC-03, PRC-04, PRC-05",
        help=_("(A) by single-contract amount to the IT supervising leader or the CFO; (B) IT authority review "
               "then the general manager, who may choose to reallocate from stock (调剂); (C) IT authority review, "
               "company plan approval, then parent-company approval. Choosing a variant makes its preset the "
               "active approval policy."),
        group=group,
        choices=list(RoutingVariant.choices),
        on_change=apply_routing_variant,
    )
    params.define(
        key="procurement.approval_threshold",
        kind=params.Kind.MONEY,
        default=DEFAULTS["procurement.approval_threshold"],
        label=_("Single-contract amount the IT supervising leader may approve"),
        article="篇1 第九条(2)",
        requirement="PRC-03, VAR-01, N03, N04",
        help=_("Inclusive: a contract of exactly this amount stays with the IT supervising leader; above it the "
               "CFO approves (variant A)."),
        group=group,
    )
    params.define(
        key="procurement.min_quotations",
        kind=params.Kind.INTEGER,
        default=DEFAULTS["procurement.min_quotations"],
        label=_("Minimum supplier quotations before ordering"),
        article="篇6 第三条(7)",
        requirement="PRC-11, N37",
        help=_("货比三家: compare at least this many suppliers, or record a waiver with its reason."),
        group=group,
    )
    params.define(
        key="procurement.restrict_infrastructure",
        kind=params.Kind.BOOL,
        default=DEFAULTS["procurement.restrict_infrastructure"],
        label=_("Only the IT authority may request servers, storage and core network equipment"),
        article="篇2 第八条; 篇8 三(2)",
        requirement="PRC-09",
        help=_("Infrastructure hardware is declared centrally by the IT authority (硬件集群、数据集中、应用集成)."),
        group=group,
    )
