"""Consumables in the approval engine: over-quota issues (CON-05) and purchase plans (VAR-02).

Both processes get a default preset policy ("default"); `ensure_policy` applies it the first
time something is submitted when the organisation has not set a policy up yet, so the
processes work out of the box. Administrators edit them like any other policy.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from .params import OVER_QUOTA_PROCESS, PLAN_PROCESS


def over_quota_context(movement) -> dict:
    return {
        "department": movement.department,
        "requester": movement.person,
        "category": movement.item.category,
        "quantity": abs(movement.quantity),
        "amount": (movement.item.unit_price or Decimal("0")) * abs(movement.quantity),
    }


def plan_context(plan) -> dict:
    return {
        "amount": plan.total_amount,
        "variant": plan.variant,
        "period": plan.period_kind,
        "requester": plan.prepared_by,
    }


def _step(key, name, role):
    return {"key": key, "name": name, "resolver": "role_org", "role": role, "context_key": "", "person": None,
            "mode": "any", "deadline_hours": None, "opinion_required": False, "choices": []}


def register() -> None:
    from zhidu.core.approvals.presets import Preset, register_preset
    from zhidu.core.approvals.registry import ProcessType, register_process

    from . import services

    register_process(ProcessType(
        key=OVER_QUOTA_PROCESS, label=_("Over-quota consumables issue"), model="consumables.Movement",
        context=over_quota_context,
        on_approved=services.on_over_quota_approved, on_rejected=services.on_over_quota_rejected,
        on_returned=services.on_over_quota_rejected, on_withdrawn=services.on_over_quota_rejected,
        fields=[("department", _("Department")), ("category", _("Category")), ("quantity", _("Quantity")),
                ("amount", _("Amount (CNY)"))],
        description=_("An issue beyond the department's quota (CON-05, 篇14 第十九条 ¶2)"),
    ), replace=True)
    register_process(ProcessType(
        key=PLAN_PROCESS, label=_("Consumables purchase plan"), model="consumables.PurchasePlan",
        context=plan_context,
        on_approved=services.on_plan_approved, on_rejected=services.on_plan_rejected,
        on_returned=services.on_plan_returned, on_withdrawn=services.on_plan_withdrawn,
        fields=[("amount", _("Plan total (CNY)")), ("variant", _("Variant (A/B)"))],
        description=_("《耗材采购季度计划》 / monthly consumables batch (VAR-02, CON-02, CON-03)"),
    ), replace=True)
    register_preset(Preset(
        process_key=OVER_QUOTA_PROCESS, variant="default",
        label=_("Over-quota issue: IT authority head approves"), article="篇14 第十九条 ¶2", requirement="CON-05",
        policy_name=_("Over-quota consumables issue"),
        definition={"rules": [{"name": N_("Every over-quota issue"), "condition": {"all": []},
                               "steps": [_step("it_authority", N_("IT authority head approval"),
                                               "it_authority_head")]}]},
    ))
    register_preset(Preset(
        process_key=PLAN_PROCESS, variant="default",
        label=_("Consumables plan: IT authority head review, then the IT supervising leader"),
        article="篇14 第十九条 ¶1", requirement="CON-03, VAR-02",
        policy_name=_("Consumables purchase plan approval"),
        definition={"rules": [{"name": N_("Every plan"), "condition": {"all": []},
                               "steps": [_step("it_authority", N_("IT authority review"), "it_authority_head"),
                                         _step("it_leader", N_("IT supervising leader approval"), "it_leader")]}]},
    ))


def ensure_policy(process_key: str, actor=None) -> None:
    """Apply the default preset when the process has no active policy yet."""
    from zhidu.core.approvals import services as approvals
    from zhidu.core.models import ApprovalPolicy

    if not ApprovalPolicy.objects.filter(process_key=process_key, is_active=True).exists():
        approvals.apply_preset(process_key, "default", actor)
