"""Demo data of disposal: about ten scrapping requests in every state over the past two years
(so the "disposals by year" chart has bars), made through the services and the approval engine
with the demo ledger's oldest devices. Deterministic and idempotent (nothing happens when
requests exist, or when the ledger has no assets yet).

Runs after the assets demo (INSTALLED_APPS order). People are found by role: it_staff appraises
and processes, it_authority_head → finance → general_manager approve (VAR-05 A).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhidu.core.errors import RuleViolation

from . import services
from .choices import LineKind
from .models import ScrapRequest
from .params import PROCESS_KEY

# title, reason, number of assets, software licence (name, quantity) or None, target state, days ago,
# verdicts for the assets ("scrap"/"repair"), disposal (method, recipient, proceeds)
PLAN = [
    ("2024 年财务部旧电脑报废", "使用超过 6 年，频繁蓝屏，维修价值低", 3, None, "disposed", 620,
     ("scrap", "scrap", "scrap"), ("recycling", "绿色环保电子废弃物回收有限公司", "360.00")),
    ("销售部打印机及旧系统授权报废", "设备老化，配件停产", 2, ("Windows 7 专业版 OEM 授权", 6), "disposed", 430,
     ("scrap", "scrap"), ("donation", "城南希望小学", "0.00")),
    ("生产部工控电脑报废", "主板故障，厂家已停止维修", 2, None, "disposed", 95,
     ("scrap", "scrap"), ("sale", "二手设备回收商（竞价）", "800.00")),
    ("综合楼会议室投影仪报废", "灯泡及光机损坏", 2, None, "recovered", 40, ("scrap", "scrap"), None),
    ("研发部旧笔记本报废", "电池鼓包，存在安全隐患", 1, None, "approved", 20, ("scrap",), None),
    ("人事部台式机更新申请", "运行缓慢，无法满足新系统要求", 2, None, "approval", 8, ("scrap", "scrap"), None),
    ("市场部相机及软件报废", "镜头进水", 1, ("Adobe CS6 授权", 2), "appraisal", 4, (), None),
    ("仓库条码打印机维修或报废", "打印头磨损", 1, None, "draft", 2, (), None),
    ("客服部耳麦报废申请", "接口松动", 1, None, "repair", 60, ("repair",), None),
    ("行政部旧显示器报废", "屏幕闪烁", 1, None, "rejected", 150, ("scrap",), None),
]


def _holders(code: str):
    from zhidu.org.selectors import holders_of_role

    return [p for p in holders_of_role(code) if p.user_id and p.status == "active"]


def _first(code: str):
    people = _holders(code)
    return people[0] if people else None


def _asset_pools(exclude_person_ids: set[int]):
    """Eligible assets (oldest first) grouped by department, with a requester for each department."""
    from zhidu.assets.choices import AssetStatus
    from zhidu.assets.models import Asset
    from zhidu.org.models import Person

    assets = (Asset.objects.filter(status__in=(AssetStatus.IN_USE, AssetStatus.IN_STOCK, AssetStatus.IN_REPAIR),
                                   scrap_lines__isnull=True, is_public=False)
              .select_related("category", "department").order_by("purchase_date", "number")[:400])
    pools: dict[int, list] = {}
    for asset in assets:
        pools.setdefault(asset.department_id, []).append(asset)
    requesters = {}
    for unit_id in pools:
        officer = next((p for p in _holders("dept_it_officer") if p.department_id == unit_id), None)
        person = officer or (Person.objects.filter(department_id=unit_id, user__isnull=False, status="active")
                             .exclude(pk__in=exclude_person_ids).order_by("employee_no").first())
        if person is not None:
            requesters[unit_id] = person
    return {k: v for k, v in pools.items() if k in requesters}, requesters


def _take(pools, requesters, n):
    for unit_id, pool in sorted(pools.items(), key=lambda item: -len(item[1])):
        if len(pool) >= n:
            return [pool.pop(0) for _ in range(n)], requesters[unit_id]
    return None, None


def _at(days_ago: int, hours: int = 0):
    return timezone.now() - datetime.timedelta(days=days_ago) + datetime.timedelta(hours=hours)


def _run(entry, assets, requester, cast):
    from zhidu.assets.models import Asset
    from zhidu.core.approvals import selectors as approval_selectors
    from zhidu.core.approvals import services as approvals

    title, reason, _n, licence, state, days, verdict_values, disposal = entry
    it = cast["it_staff"]
    lines = [services.LineInput(kind=LineKind.HARDWARE, asset=a, reason=reason) for a in assets]
    if licence:
        lines.append(services.LineInput(kind=LineKind.SOFTWARE, software_name=licence[0], quantity=licence[1],
                                        reason="随设备报废，授权不可迁移"))
    visible = requester.user and Asset.objects.restrict(requester.user, "view").filter(
        pk__in=[a.pk for a in assets]).count() == len(assets)
    actor = requester.user if visible else None
    request = services.create_request(requester=requester, actor=actor, title=title, reason=reason, lines=lines,
                                      now=_at(days))
    if state == "draft":
        return request
    services.submit_request(request=request, actor=requester.user, now=_at(days, 1))
    if state == "appraisal":
        return request
    values = list(verdict_values) + ["scrap"] * (len(lines) - len(verdict_values))
    verdicts = [services.VerdictInput(line_id=line.pk, verdict=v, notes="经检测，" + ("无维修价值，建议报废" if v == "scrap"
                                                                                  else "更换配件后可继续使用"))
                for line, v in zip(request.lines.order_by("position"), values, strict=True)]
    services.appraise(request=request, actor=it.user, verdicts=verdicts, now=_at(days, 3))
    if state in ("repair", "approval"):
        return request
    approval = approval_selectors.approval_for(request)
    for step in range(10):
        request.refresh_from_db()
        if request.status != "approval":
            break
        task = approval.tasks.filter(status="open").select_related("assignee__user").first()
        if task is None:
            break
        decision = "reject" if state == "rejected" else "approve"
        opinion = "尚可使用，建议维修后继续使用" if decision == "reject" else "同意报废"
        approvals.decide(task=task, actor=task.assignee.user, decision=decision, opinion=opinion,
                         now=_at(days, 24 * (step + 1)))
    request.refresh_from_db()
    if state in ("approved", "rejected"):
        return request
    services.recover(request=request, actor=it.user, now=_at(days - 3))
    if state == "recovered":
        return request
    from zhidu.disposal import selectors

    for line in request.lines.filter(outcome="recovered", kind=LineKind.HARDWARE).select_related("asset__category"):
        method = "overwrite" if selectors.stores_data(line.asset) else "not_applicable"
        services.record_sanitisation(line=line, actor=it.user, method=method, performed_by=it,
                                     verified_by=cast["it_authority_head"], notes="已使用专用工具擦除并复核",
                                     performed_on=timezone.localdate() - datetime.timedelta(days=days - 5),
                                     now=_at(days - 5))
    method, recipient, proceeds = disposal
    services.record_disposal(request=request, actor=it.user, method=method, recipient=recipient,
                             disposed_on=timezone.localdate() - datetime.timedelta(days=days - 7),
                             proceeds=Decimal(proceeds), notes="附回收/接收证明", now=_at(days - 7))
    return request


def load(org=None, *, stdout=None) -> dict:
    """Create the disposal demo data (idempotent)."""
    if ScrapRequest.objects.exists():
        return {"requests": 0}
    from django.contrib.auth import get_user_model

    from zhidu.core.approvals import services as approvals
    from zhidu.core.approvals.models import ApprovalPolicy

    cast = {code: _first(code) for code in ("it_staff", "it_authority_head", "finance", "general_manager")}
    if any(person is None for person in cast.values()):
        return {"requests": 0}
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if not ApprovalPolicy.objects.filter(process_key=PROCESS_KEY, is_active=True).exists():
        approvals.apply_preset(PROCESS_KEY, "A", admin, note="演示数据：VAR-05 方案 A")
    approver_ids = {p.pk for code in ("it_authority_head", "finance", "general_manager", "it_leader")
                    for p in _holders(code)}
    pools, requesters = _asset_pools(approver_ids)
    created, skipped = 0, []
    for entry in PLAN:
        assets, requester = _take(pools, requesters, entry[2])
        if not assets:
            skipped.append(f"{entry[0]}: not enough assets in the ledger")
            continue
        try:
            with transaction.atomic():
                _run(entry, assets, requester, cast)
            created += 1
        except RuleViolation as exc:  # a role the demo organisation lacks: skip that request
            skipped.append(f"{entry[0]}: {exc}")
    if stdout is not None:
        stdout.write(f"disposal: {created} scrapping requests\n")
        for line in skipped:
            stdout.write(f"  skipped {line}\n")
    return {"requests": created, "skipped": skipped}
