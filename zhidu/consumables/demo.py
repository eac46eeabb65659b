"""Demo data of consumables: a catalogue of ~25 items fitting the demo printers, a quarter of
history (receipts and weekly issues per department, deterministic), quotas with some over-quota
issues, department requests, one approved quarterly plan (→ purchase request) and one draft.

Called by the demo loader as `load(org)`; made through the services (numbers, ledger, balances,
timelines and approvals are real). Idempotent.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zhidu.core.errors import RuleViolation

from . import selectors, services
from .choices import ConsumableCategory as C
from .choices import PeriodKind
from .models import ConsumableItem, Need

MARKER = "HC-D01"

# (code, name, category, unit, reorder level, unit price, [(manufacturer, model name) it fits])
CATALOGUE = [
    ("HC-D01", "惠普 CF276A 硒鼓（M404dn）", C.DRUM, "个", 3, "520.00", [("惠普", "LaserJet Pro M404dn")]),
    ("HC-D02", "惠普 CF276X 大容量硒鼓", C.DRUM, "个", 2, "860.00", [("惠普", "LaserJet Pro M404dn")]),
    ("HC-D03", "惠普 W1335A 硒鼓（M437nda）", C.DRUM, "个", 2, "640.00", [("惠普", "LaserJet MFP M437nda")]),
    ("HC-D04", "佳能 CRG-325 硒鼓（LBP6030）", C.DRUM, "个", 3, "380.00", [("佳能", "LBP6030")]),
    ("HC-D05", "佳能 NPG-67 感光鼓组件（C3226）", C.DRUM, "个", 1, "1280.00",
     [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-T01", "佳能 NPG-67 黑色墨粉", C.TONER, "支", 3, "260.00", [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-T02", "佳能 NPG-67 青色墨粉", C.TONER, "支", 2, "420.00", [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-T03", "佳能 NPG-67 品红墨粉", C.TONER, "支", 2, "420.00", [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-T04", "佳能 NPG-67 黄色墨粉", C.TONER, "支", 2, "420.00", [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-T05", "惠普 W1335A 补充墨粉", C.TONER, "瓶", 2, "120.00", [("惠普", "LaserJet MFP M437nda")]),
    ("HC-I01", "惠普 680 黑色墨盒", C.INK, "个", 4, "79.00", []),
    ("HC-I02", "惠普 680 彩色墨盒", C.INK, "个", 4, "89.00", []),
    ("HC-I03", "爱普生 T6641 黑色墨水", C.INK, "瓶", 4, "45.00", []),
    ("HC-I04", "爱普生 T6642 青色墨水", C.INK, "瓶", 2, "45.00", []),
    ("HC-R01", "爱普生 LQ-630K 色带架", C.RIBBON, "个", 5, "35.00", []),
    ("HC-R02", "爱普生 LQ-630K 色带芯", C.RIBBON, "根", 5, "12.00", []),
    ("HC-R03", "得实 DS-1930 色带架", C.RIBBON, "个", 2, "38.00", []),
    ("HC-C01", "威宝 DVD-R 16X 4.7G 光盘（50 片）", C.DISC, "筒", 2, "95.00", []),
    ("HC-C02", "威宝 CD-R 52X 700M 光盘（50 片）", C.DISC, "筒", 1, "75.00", []),
    ("HC-C03", "档案级 DVD-R 光盘（10 片）", C.DISC, "盒", 2, "180.00", []),
    ("HC-P01", "惠普 M404dn 定影组件", C.PART, "个", 1, "980.00", [("惠普", "LaserJet Pro M404dn")]),
    ("HC-P02", "惠普 M404dn 搓纸轮", C.PART, "个", 2, "45.00", [("惠普", "LaserJet Pro M404dn")]),
    ("HC-P03", "佳能 C3226 废粉盒", C.PART, "个", 1, "160.00", [("佳能", "imageRUNNER ADVANCE DX C3226")]),
    ("HC-P04", "罗技 M100 有线鼠标", C.PART, "个", 5, "39.00", []),
    ("HC-P05", "罗技 K120 有线键盘", C.PART, "个", 5, "59.00", []),
    ("HC-P06", "绿联 USB 打印线 1.5 米", C.PART, "根", 5, "18.00", []),
]

# Items departments use often (code, weekly chance, max per issue)
USAGE = [("HC-D01", 0.35, 1), ("HC-D04", 0.25, 1), ("HC-T01", 0.3, 1), ("HC-I01", 0.3, 2), ("HC-R02", 0.3, 2),
         ("HC-C01", 0.15, 1), ("HC-P04", 0.2, 1), ("HC-P05", 0.15, 1)]


def _keeper():
    from zhidu.org.selectors import holders_of_role

    people = [p for p in holders_of_role("consumables_keeper") if p.user_id]
    return people[0] if people else None


def _warehouse():
    from zhidu.assets.models import Location

    found = Location.objects.filter(is_warehouse=True, is_active=True).order_by("code").first()
    if found is None:
        found = Location.objects.create(code="CON-WH", name="耗材库房", is_warehouse=True)
    return found


def _departments():
    from zhidu.org.models import OrgUnit

    return list(OrgUnit.objects.filter(kind="department", is_active=True).order_by("tree_key")[:8])


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), timezone.get_default_timezone())


def load(org=None) -> dict:
    from zhidu.assets.models import AssetModel

    if ConsumableItem.objects.filter(code=MARKER).exists():
        return {"consumables": 0}
    keeper = _keeper()
    departments = _departments()
    if keeper is None or not departments:
        return {"consumables": 0}
    actor = keeper.user
    items = {}
    for code, name, category, unit, level, price, fits in CATALOGUE:
        models = [m for m in (AssetModel.objects.filter(manufacturer=mf, name=mn).first() for mf, mn in fits) if m]
        items[code] = services.save_item(actor=actor, code=code, name=name, category=category, unit=unit,
                                         reorder_level=level, unit_price=Decimal(price), fits=models)
    warehouse = _warehouse()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=91)
    rng = random.Random(20260401)  # noqa: S311 - demo data
    # Opening receipts and a mid-period top-up.
    for code in items:
        services.receive(item=items[code], location=warehouse, quantity=rng.randint(12, 30), actor=actor,
                         unit_price=items[code].unit_price, note="期初入库", now=_at(start))
    # Quotas: per department, each quarter of the window, drums and ink by category.
    quarters = sorted({selectors.period_start(PeriodKind.QUARTER, start), selectors.period_start(PeriodKind.QUARTER,
                                                                                                  today)})
    for index, department in enumerate(departments):
        for quarter in quarters:
            services.set_quota(department=department, category=C.DRUM, period_kind=PeriodKind.QUARTER,
                               period_start=quarter, quantity=6 + 2 * (index % 3), actor=actor)
            services.set_quota(department=department, category=C.INK, period_kind=PeriodKind.QUARTER,
                               period_start=quarter, quantity=10, actor=actor)
    # Weekly issues, deterministic; the first department uses well beyond its quota.
    from zhidu.org.models import Person

    people = {d.pk: list(Person.objects.filter(department=d, status="active").order_by("employee_no")[:5])
              for d in departments}
    day = start + datetime.timedelta(days=3)
    while day < today:
        for index, department in enumerate(departments):
            staff = people.get(department.pk) or [keeper]
            for code, chance, most in USAGE:
                if rng.random() < chance * (2.0 if index == 0 else 1):
                    person = staff[rng.randrange(len(staff))]
                    try:
                        services.issue(item=items[code], location=warehouse, quantity=rng.randint(1, most),
                                       department=department, person=person, actor=actor, now=_at(day, 9 + index % 7))
                    except Exception:  # noqa: BLE001, S112 - out of stock in the story: skip the issue
                        continue
        if (day - start).days % 28 == 3:
            for code, _chance, _most in USAGE:
                services.receive(item=items[code], location=warehouse, quantity=6, actor=actor, note="月度集中采购入库",
                                 now=_at(day, 15))
        day += datetime.timedelta(days=7)
    # Empties back for recycling (CON-09).
    for index, department in enumerate(departments[:4]):
        services.recycle(item=items["HC-D01"], location=warehouse, quantity=1 + index % 2, department=department,
                         actor=actor, now=_at(today - datetime.timedelta(days=5 + index)))
    # Department requests for the next quarter, a draft plan for it and an approved plan for this quarter.
    this_quarter = selectors.period_start(PeriodKind.QUARTER, today)
    next_quarter = selectors.add_months(this_quarter, 3)
    for index, department in enumerate(departments[:4]):
        for quarter, code in ((this_quarter, "HC-D04"), (this_quarter, "HC-I01"), (this_quarter, "HC-R02"),
                              (this_quarter, "HC-T01"), (next_quarter, "HC-D01"), (next_quarter, "HC-C03")):
            Need.objects.create(department=department, item=items[code], period_kind=PeriodKind.QUARTER,
                                period_start=quarter, quantity=2 + index, requested_by=keeper, note="新增打印需求")
    approved = services.draft_plan(actor=actor, variant="B", period_start=this_quarter)
    # The keeper rounds the proposal up to at least what departments asked for.
    services.update_plan(plan=approved, actor=actor,
                         quantities={line.pk: max(line.proposed, line.requested) for line in approved.lines.all()})
    if approved.lines.filter(quantity__gt=0).exists():
        with contextlib.suppress(RuleViolation):  # no approvers in this organisation: leave it submitted
            _approve(approved, actor)
    services.draft_plan(actor=actor, variant="B", period_start=next_quarter)
    return {"consumables": len(items)}


def _approve(plan, actor) -> None:
    from zhidu.core.approvals import selectors as approval_selectors
    from zhidu.core.approvals import services as approvals

    services.submit_plan(plan=plan, actor=actor)
    for _step in range(5):
        approval = approval_selectors.approval_for(plan)
        if approval is None or approval.status != "pending":
            return
        task = approval.tasks.filter(status="open").select_related("assignee__user").first()
        if task is None or task.assignee.user is None:
            return
        approvals.decide(task=task, actor=task.assignee.user, decision="approve", opinion="同意，按计划采购。")
