"""Preset policies that match the regulation variants (catalogue §24), keyed by process and variant.

`services.apply_preset(process_key, variant, actor)` stores a preset as a new version of the
process's policy; administrators may then edit it like any other version.

VAR-01, purchase approval routing (process "procurement.purchase"):

* (A) 篇1 第九条(2), PRC-03: a single contract of at most `procurement.approval_threshold`
  (50,000.00 CNY, inclusive, "含") is approved by the IT supervising leader (综合管理部主管领导,
  role it_leader) only; above it by the CFO (财务总监, role cfo). The rule tests the parameter, so
  changing the threshold needs no policy edit.
* (B) 篇14/5 第十四条, PRC-05: 办公室 review (role it_authority_head), who chooses purchase or
  reallocation from stock (调剂), then the general manager (总经理); no amount threshold.
* (C) 篇14/5 第九条, PRC-04: 办公室 review → company procurement-plan approval (general manager)
  → parent-company approval (role parent_approver).

Labels are English msgids (translated when shown); gettext_noop marks them for extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

PURCHASE = "procurement.purchase"
THRESHOLD_PARAM = "procurement.approval_threshold"


@dataclass(frozen=True)
class Preset:
    process_key: str
    variant: str
    label: Any
    article: str
    requirement: str
    policy_name: Any
    definition: dict


def _step(key, name, *, resolver, role="", mode="any", opinion_required=True, choices=(), deadline_hours=None,
          context_key=""):
    return {"key": key, "name": name, "resolver": resolver, "role": role, "context_key": context_key,
            "person": None, "mode": mode, "deadline_hours": deadline_hours, "opinion_required": opinion_required,
            "choices": [{"value": v, "label": label} for v, label in choices]}


OFFICE_REVIEW_CHOICES = (("purchase", N_("Purchase")), ("reallocate", N_("Reallocate from stock (调剂)")))

PRESETS: dict[tuple[str, str], Preset] = {
    (PURCHASE, "A"): Preset(
        process_key=PURCHASE, variant="A",
        label=_("VAR-01 (A): up to the threshold the IT supervising leader, above it the CFO"),
        article="篇1 第九条(2)", requirement="PRC-03, VAR-01, N03, N04",
        policy_name=_("IT purchase approval"),
        definition={"rules": [
            {"name": N_("Up to the threshold (inclusive)"),
             "condition": {"all": [{"field": "amount", "op": "lte", "param": THRESHOLD_PARAM}]},
             "steps": [_step("it_leader", N_("IT supervising leader approval"), resolver="role_org",
                             role="it_leader")]},
            {"name": N_("Above the threshold"),
             "condition": {"all": [{"field": "amount", "op": "gt", "param": THRESHOLD_PARAM}]},
             "steps": [_step("cfo", N_("CFO approval"), resolver="role_org", role="cfo")]},
        ]},
    ),
    (PURCHASE, "B"): Preset(
        process_key=PURCHASE, variant="B",
        label=_("VAR-01 (B): IT authority (办公室) review, then the general manager, whatever the amount"),
        article="篇14/5 第十四条", requirement="PRC-05, VAR-01",
        policy_name=_("IT configuration request approval"),
        definition={"rules": [
            {"name": N_("Every configuration request"),
             "condition": {"all": []},
             "steps": [
                 _step("it_authority", N_("IT authority review"), resolver="role_org", role="it_authority_head",
                       choices=OFFICE_REVIEW_CHOICES),
                 _step("general_manager", N_("General manager approval"), resolver="role_org",
                       role="general_manager"),
             ]},
        ]},
    ),
    (PURCHASE, "C"): Preset(
        process_key=PURCHASE, variant="C",
        label=_("VAR-01 (C): IT authority review, company plan approval, then parent-company approval"),
        article="篇14/5 第九条", requirement="PRC-04, VAR-01",
        policy_name=_("IT demand plan approval"),
        definition={"rules": [
            {"name": N_("Every demand plan"),
             "condition": {"all": []},
             "steps": [
                 _step("it_authority", N_("IT authority review"), resolver="role_org", role="it_authority_head"),
                 _step("company_plan", N_("Company procurement-plan approval"), resolver="role_org",
                       role="general_manager"),
                 _step("parent_company", N_("Parent company approval"), resolver="role_org", role="parent_approver"),
             ]},
        ]},
    ),
}


def get_preset(process_key: str, variant: str) -> Preset | None:
    return PRESETS.get((process_key, str(variant)))


def presets_for(process_key: str) -> list[Preset]:
    return [p for (key, _v), p in sorted(PRESETS.items()) if key == process_key]


def register_preset(preset: Preset) -> None:
    """Other processes (disposal VAR-05, permissions VAR-07 …) add their presets here."""
    PRESETS[(preset.process_key, preset.variant)] = preset
