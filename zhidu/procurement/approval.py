"""Procurement in the approval engine: the process type "procurement.purchase" and VAR-01 presets.

Routing (VAR-01) is data: the active `ApprovalPolicy` of the process. The organisation picks a
variant with the parameter `procurement.routing_variant`; its `on_change` makes the matching
preset below the active policy (a new policy version, so running requests keep theirs).

The single-contract amount (`amount` fact) is the request's `routing_amount`, frozen at
submission: max(lines total, expected contract amount) — see `PurchaseRequest`.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .params import PROCESS_KEY


def context(request) -> dict:
    """Facts the policy conditions may test."""
    lines = list(request.lines.all())
    categories = sorted({line.category for line in lines})
    main = max(lines, key=lambda line: line.amount).category if lines else ""
    amount = request.routing_amount if request.routing_amount is not None else request.contract_amount
    return {
        "amount": Decimal(amount),
        "total": Decimal(request.total_amount),
        "department": request.department,
        "requester": request.requester,
        "category": main,
        "categories": ",".join(categories),
        "kind": request.kind,
    }


def register() -> None:
    from zhidu.core.approvals.registry import ProcessType, register_process

    from . import services

    register_process(
        ProcessType(
            key=PROCESS_KEY,
            label=_("IT purchase request"),
            model="procurement.PurchaseRequest",
            context=context,
            on_approved=services.on_approved,
            on_rejected=services.on_rejected,
            on_returned=services.on_returned,
            on_withdrawn=services.on_withdrawn,
            fields=[
                ("amount", _("Single-contract amount (CNY)")),
                ("total", _("Total of the lines (CNY)")),
                ("department", _("Requesting department")),
                ("category", _("Main item category")),
                ("kind", _("Form (application / demand plan)")),
            ],
            description=_("《信息化配置申请》 / 《信息化配置需求计划》 (PRC-01, PRC-03, PRC-04, PRC-05, VAR-01)"),
        ),
        replace=True,
    )


def apply_preset(variant: str, *, actor=None):
    """Make the engine's VAR-01 preset `variant` (A/B/C) the active policy of "procurement.purchase"."""
    from zhidu.core.approvals import services as approvals

    return approvals.apply_preset(PROCESS_KEY, variant, actor)
