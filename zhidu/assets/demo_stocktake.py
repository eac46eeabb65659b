"""Demo data of stock-takes and patrol inspections (AST-16, AST-17, AUD-01).

Called by the ledger's demo hook (`zhidu/assets/demo.py: load(org)`) after the demo ledger
exists: `from . import demo_stocktake; demo_stocktake.load(org)`. Idempotent (nothing happens
when a plan titled as below exists) and deterministic. Goes through the services:

* a closed stock-take of the busiest location: counted, one device missing, the difference
  reviewed by the IT authority head (王建国) and applied ("located afterwards");
* a stock-take in counting of the second location, half counted, for the phone page;
* two patrol inspection rounds with findings, so the overdue list has both kinds of rows.
"""

from __future__ import annotations

import contextlib
import datetime

from django.db.models import Count

CLOSED_TITLE = "2026 年上半年综合管理部设备清查"
OPEN_TITLE = "调剂后清查（演示）"


def load(org=None, *, stdout=None) -> dict:
    from zhidu.core.approvals import selectors as approval_selectors
    from zhidu.core.approvals import services as approvals

    from .choices import AssetStatus
    from .models import Asset, InspectionRound, StocktakePlan
    from .models.stocktake import AdjustmentKind, Difference
    from .services import stocktake as services

    if StocktakePlan.objects.filter(title=CLOSED_TITLE).exists():
        return {"plans": 0, "inspections": 0}
    people = getattr(org, "people", None) or {}
    staff = people.get("zhangwei")
    head = people.get("wangjianguo")
    if staff is None or head is None or staff.user is None or head.user is None:
        return {"plans": 0, "inspections": 0}
    places = list(Asset.objects.exclude(status=AssetStatus.DISPOSED).exclude(location__isnull=True)
                  .values("location").annotate(n=Count("pk")).order_by("-n", "location")[:2])
    if not places:
        return {"plans": 0, "inspections": 0}
    from .models import Location

    first = Location.objects.get(pk=places[0]["location"])
    plan = services.create_plan(actor=staff.user, title=CLOSED_TITLE, kind="periodic", location=first,
                                leader=staff, planned_on=datetime.date(2026, 6, 28))
    plan = services.start_counting(plan=plan, actor=staff.user)
    expected = list(plan.expected.select_related("asset").order_by("asset__number"))
    for index, row in enumerate(expected[1:], start=1):
        services.record_scan(plan=plan, payload=row.asset.number, actor=staff.user, location=first,
                             seal_number=f"FJ-2026-{index:04d}" if index % 3 == 0 else "")
    plan = services.finish_counting(plan=plan, actor=staff.user)
    for adjustment in plan.adjustments.filter(difference=Difference.MISSING):
        services.update_adjustment(adjustment=adjustment, actor=staff.user, kind=AdjustmentKind.LOCATED,
                                   note="借出参加展会，已收回并核对")
    if plan.adjustments.exists():
        services.submit_adjustments(plan=plan, actor=staff.user)
        task = approval_selectors.open_tasks_for(head.user).filter(request__process_key=services.ADJUSTMENT_PROCESS)
        task = task.first()
        if task is not None:
            approvals.decide(task=task, actor=head.user, decision="approve", opinion="同意，账物一致。")
    plan.refresh_from_db()
    from zhidu.core.errors import RuleViolation

    with contextlib.suppress(RuleViolation):  # the plan stays reconciling while a review is pending
        services.close_plan(plan=plan, actor=staff.user)
    plans = 1
    if len(places) > 1:
        second = Location.objects.get(pk=places[1]["location"])
        other = services.create_plan(actor=staff.user, title=OPEN_TITLE, kind="reallocation", location=second,
                                     leader=staff)
        other = services.start_counting(plan=other, actor=staff.user)
        rows = list(other.expected.select_related("asset").order_by("asset__number"))
        for row in rows[: len(rows) // 2]:
            services.record_scan(plan=other, payload=row.asset.number, actor=staff.user, location=second)
        plans += 1
    inspections = 0
    if not InspectionRound.objects.exists():
        round_ = services.create_inspection(actor=staff.user, location=first, inspector=staff,
                                            inspected_on=datetime.date(2026, 5, 12))
        assets = [row.asset for row in expected[:3]]
        for asset in assets[:2]:
            services.record_finding(round=round_, actor=staff.user, asset=asset, result="ok")
        if len(assets) > 2:
            services.record_finding(round=round_, actor=staff.user, asset=assets[2], result="issue",
                                    description="风扇噪音大，机箱积灰", follow_up="已清灰，列入下月复查")
        services.complete_inspection(round=round_, actor=staff.user, summary="设备运行正常，一台已清灰。")
        inspections = 1
    return {"plans": plans, "inspections": inspections}
