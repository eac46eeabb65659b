"""Disposal in the approval engine: the process type "disposal.scrap" and the VAR-05 presets.

The items the IT authority appraised as "scrap" (鉴定, DSP-02) go through the active policy of
the process; the organisation picks a variant with the parameter `disposal.routing_variant`
(its `on_change` makes the matching preset the active policy; running requests keep theirs):

* (A) 篇1 第二十九条–第三十二条: after the IT authority's appraisal, the company's fixed-asset
  scrapping process (固定资产报废流程, DSP-03): IT authority head → finance → general manager.
* (B) 篇14/5 第十八条 (DSP-04): 办公室 review (it_authority_head) → 公司主管领导 (it_leader).
* (C) 篇12 信息技术专用室负责人(10) (DSP-06): the IT head submits; the school leader approves
  (general_manager).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from .params import PROCESS_KEY


def _step(key, name, role):
    return {"key": key, "name": name, "resolver": "role_org", "role": role, "context_key": "", "person": None,
            "mode": "any", "deadline_hours": None, "opinion_required": True, "choices": []}


def _rule(name, steps):
    return {"rules": [{"name": name, "condition": {"all": []}, "steps": steps}]}


def presets():
    from zhidu.core.approvals.presets import Preset

    return [
        Preset(
            process_key=PROCESS_KEY, variant="A",
            label=_("VAR-05 (A): IT authority appraisal, then the company fixed-asset scrapping process"),
            article="篇1 第二十九条–第三十二条", requirement="DSP-02, DSP-03, DSP-05, VAR-05",
            policy_name=_("IT equipment scrapping approval"),
            definition=_rule(N_("Fixed-asset scrapping process"), [
                _step("it_authority", N_("IT authority head approval"), "it_authority_head"),
                _step("finance", N_("Finance (fixed-asset management) review"), "finance"),
                _step("general_manager", N_("General manager approval"), "general_manager"),
            ]),
        ),
        Preset(
            process_key=PROCESS_KEY, variant="B",
            label=_("VAR-05 (B): 办公室 review, then the company supervising leader"),
            article="篇14/5 第十八条", requirement="DSP-04, VAR-05",
            policy_name=_("IT equipment scrapping approval"),
            definition=_rule(N_("Retirement / scrapping"), [
                _step("office", N_("办公室 review"), "it_authority_head"),
                _step("leader", N_("Company supervising leader approval"), "it_leader"),
            ]),
        ),
        Preset(
            process_key=PROCESS_KEY, variant="C",
            label=_("VAR-05 (C): the IT head submits, the school leader approves"),
            article="篇12 信息技术专用室负责人(10)", requirement="DSP-06, VAR-05",
            policy_name=_("E-teaching equipment scrapping approval"),
            definition=_rule(N_("Scrapping, write-off, transfer (报批)"), [
                _step("school_leader", N_("School leader approval"), "general_manager"),
            ]),
        ),
    ]


def context(request) -> dict:
    """Facts the policy conditions may test."""
    lines = [line for line in request.lines.all() if line.verdict == "scrap"]
    value = sum(((line.asset.purchase_price or Decimal("0.00")) for line in lines if line.asset_id),
                Decimal("0.00"))
    return {
        "amount": value,
        "items": len(lines),
        "department": request.department,
        "requester": request.requester,
        "software": any(line.kind == "software" for line in lines),
    }


def register() -> None:
    from zhidu.core.approvals.presets import register_preset
    from zhidu.core.approvals.registry import ProcessType, register_process

    from . import services

    register_process(
        ProcessType(
            key=PROCESS_KEY,
            label=_("IT equipment scrapping"),
            model="disposal.ScrapRequest",
            context=context,
            on_approved=services.on_approved,
            on_rejected=services.on_rejected,
            on_returned=services.on_returned,
            on_withdrawn=services.on_withdrawn,
            fields=[
                ("amount", _("Original value of the items to scrap (CNY)")),
                ("items", _("Number of items to scrap")),
                ("department", _("Using department")),
                ("software", _("Includes software")),
            ],
            description=_("报废申请单 (DSP-02…06, VAR-05)"),
        ),
        replace=True,
    )
    for preset in presets():
        register_preset(preset)


def apply_preset(variant: str, *, actor=None):
    """Make the VAR-05 preset `variant` (A/B/C) the active policy of "disposal.scrap"."""
    from zhidu.core.approvals import services as approvals

    return approvals.apply_preset(PROCESS_KEY, variant, actor)


def ensure_policy(*, actor=None) -> None:
    """The process needs an active policy: when none exists yet, apply the configured variant's preset."""
    from zhidu.core.approvals.models import ApprovalPolicy

    from .params import VARIANT_KEY, value

    if not ApprovalPolicy.objects.filter(process_key=PROCESS_KEY, is_active=True).exists():
        apply_preset(str(value(VARIANT_KEY)), actor=actor)
