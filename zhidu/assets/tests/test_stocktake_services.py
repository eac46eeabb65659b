"""Stock-take services (AST-16 账物一致, AST-17 清查 after reallocation, SCH-06) and patrol
inspections (AUD-01): expected snapshot, classification, duplicate scans, reviewed adjustments."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, Reallocation, StocktakeAdjustment, StocktakeLine, StocktakePlan
from zhidu.assets.models.stocktake import (
    AdjustmentKind,
    AdjustmentStatus,
    CountResult,
    Difference,
    StocktakeStatus,
)
from zhidu.assets.services import stocktake as services
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import ChangeLogEntry, TimelineEvent
from zhidu.core.testing import make_user

from .factories import AssetCategoryFactory, AssetFactory, LocationFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    dept = OrgUnitFactory(name="教务处")
    sub = OrgUnitFactory(name="教务处一科", parent=dept)
    other = OrgUnitFactory(name="财务部")
    building = LocationFactory(code="B1", name="一号楼")
    room = LocationFactory(code="B1-101", name="101 室", parent=building)
    room2 = LocationFactory(code="B1-102", name="102 室", parent=building)
    elsewhere = LocationFactory(code="B2-201", name="二号楼 201")
    category = AssetCategoryFactory(code="pc", name="计算机")
    head = make_user(roles=["it_authority_head"], department=other, name="信息中心主任")
    staff = make_user(superuser=True, department=other, name="盘点员")
    a1 = AssetFactory(number="ZC-2026-000001", department=dept, location=room, category=category)
    a2 = AssetFactory(number="ZC-2026-000002", department=sub, location=room2, category=category)
    a3 = AssetFactory(number="ZC-2026-000003", department=dept, location=room, category=category)
    disposed = AssetFactory(number="ZC-2026-000004", department=dept, location=room, status=AssetStatus.DISPOSED)
    stranger = AssetFactory(number="ZC-2026-000005", department=other, location=elsewhere, category=category)
    return {"dept": dept, "sub": sub, "other": other, "building": building, "room": room, "room2": room2,
            "elsewhere": elsewhere, "category": category, "head": head, "staff": staff, "a1": a1, "a2": a2,
            "a3": a3, "disposed": disposed, "stranger": stranger}


def started_plan(w, **kwargs):
    defaults = {"title": "2026 春季清查", "location": w["building"], "department": w["dept"]}
    defaults.update(kwargs)
    plan = services.create_plan(actor=w["staff"], **defaults)
    return services.start_counting(plan=plan, actor=w["staff"])


def test_number_and_expected_snapshot_excludes_disposed_and_out_of_scope(world):
    plan = started_plan(world)
    assert plan.number.startswith(f"PD-{timezone.localdate().year}-")
    assert plan.status == StocktakeStatus.COUNTING
    expected = set(plan.expected.values_list("asset__number", flat=True))
    # department subtree (a2 belongs to a sub-unit) and location subtree (rooms of the building)
    assert expected == {"ZC-2026-000001", "ZC-2026-000002", "ZC-2026-000003"}
    assert plan.expected_count == 3
    # the snapshot does not move when the ledger changes afterwards
    Asset.objects.filter(pk=world["a1"].pk).update(location=world["elsewhere"])
    assert plan.expected.get(asset=world["a1"]).location_id == world["room"].pk


def test_full_count_without_criteria_is_every_asset_not_disposed(world):
    plan = services.start_counting(plan=services.create_plan(actor=world["staff"], title="学期末清点",
                                                             kind="semester"), actor=world["staff"])
    assert plan.expected_count == 4  # SCH-06: all managed equipment, not the disposed one


def test_classification_found_misplaced_unknown_missing_and_duplicates(world):
    plan = started_plan(world)
    staff = world["staff"]
    line, created = services.record_scan(plan=plan, payload="https://it.example.com/assets/n/ZC-2026-000001/",
                                         actor=staff, seal_number="FJ-0001")
    assert created and line.result == CountResult.FOUND and line.seal_number == "FJ-0001"
    # duplicate scan: idempotent, no second line
    again, created = services.record_scan(plan=plan, payload="ZC-2026-000001", actor=staff)
    assert not created and again.pk == line.pk
    assert StocktakeLine.objects.filter(plan=plan).count() == 1
    # an expected asset found in another room than the ledger says: misplaced, where found recorded
    line2, _c = services.record_scan(plan=plan, payload="ZC-2026-000002", actor=staff, location=world["room"])
    assert line2.result == CountResult.MISPLACED and line2.found_location == world["room"]
    assert line2.expected_location == world["room2"]
    # a known asset expected elsewhere
    line3, _c = services.record_scan(plan=plan, payload="ZC-2026-000005", actor=staff, location=world["room"])
    assert line3.result == CountResult.MISPLACED
    # not in the ledger
    line4, _c = services.record_scan(plan=plan, payload="XX-999", actor=staff)
    assert line4.result == CountResult.UNKNOWN and line4.asset is None
    results = services.plan_results(plan)
    assert results.counts() == {"expected": 3, "found": 1, "missing": 1, "misplaced": 2, "unknown": 1}
    assert [row.asset.number for row in results.missing] == ["ZC-2026-000003"]


def test_scan_refused_outside_counting_and_bad_payload(world):
    plan = services.create_plan(actor=world["staff"], title="草稿")
    with pytest.raises(Conflict):
        services.record_scan(plan=plan, payload="ZC-2026-000001", actor=world["staff"])
    plan = services.start_counting(plan=plan, actor=world["staff"])
    with pytest.raises(RuleViolation):
        services.record_scan(plan=plan, payload="   ", actor=world["staff"])
    with pytest.raises(RuleViolation):
        services.record_scan(plan=plan, payload="https://example.com/not/a/label", actor=world["staff"])


def reconcile(world):
    plan = started_plan(world)
    staff = world["staff"]
    services.record_scan(plan=plan, payload="ZC-2026-000001", actor=staff)
    services.record_scan(plan=plan, payload="ZC-2026-000002", actor=staff, location=world["room"])
    services.record_scan(plan=plan, payload="NEW-0001", actor=staff, location=world["room"])
    return services.finish_counting(plan=plan, actor=staff)


def test_finish_proposes_one_adjustment_per_difference(world):
    plan = reconcile(world)
    assert plan.status == StocktakeStatus.RECONCILING
    adjustments = {(a.difference, a.asset_number): a for a in plan.adjustments.all()}
    assert set(adjustments) == {(Difference.MISSING, "ZC-2026-000003"), (Difference.MISPLACED, "ZC-2026-000002"),
                                (Difference.UNKNOWN, "NEW-0001")}
    assert adjustments[(Difference.MISSING, "ZC-2026-000003")].kind == AdjustmentKind.MARK_LOST
    assert adjustments[(Difference.MISPLACED, "ZC-2026-000002")].to_location == world["room"]
    # proposing again adds nothing
    assert services.propose_adjustments(plan=plan, actor=world["staff"]) == []


def test_close_refused_until_adjustments_applied_then_ledger_updated(world):
    plan = reconcile(world)
    with pytest.raises(RuleViolation) as exc:
        services.close_plan(plan=plan, actor=world["staff"])
    assert "篇6 第三条(8)" in str(exc.value)
    unknown = plan.adjustments.get(difference=Difference.UNKNOWN)
    with pytest.raises(RuleViolation):  # a new card needs name/category/department
        services.submit_adjustments(plan=plan, actor=world["staff"])
    services.update_adjustment(adjustment=unknown, actor=world["staff"], kind=AdjustmentKind.REGISTER,
                               name="未入账交换机", category=world["category"], to_department=world["dept"],
                               to_location=world["room"])
    with pytest.raises(RuleViolation):  # a kind that does not fit the difference
        services.update_adjustment(adjustment=unknown, actor=world["staff"], kind=AdjustmentKind.MARK_LOST)
    approval = services.submit_adjustments(plan=plan, actor=world["staff"])
    assert approval.process_key == "assets.stocktake_adjustment"
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.IN_REVIEW}
    # the IT authority head reviews (AST-16)
    task = approval_selectors.open_tasks_for(world["head"]).get()
    approvals.decide(task=task, actor=world["head"], decision="approve", opinion="同意调整")
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.APPLIED}
    a2 = Asset.objects.get(number="ZC-2026-000002")
    assert a2.location == world["room"]
    assert Asset.objects.get(number="ZC-2026-000003").status == AssetStatus.LOST
    new = Asset.objects.get(number="NEW-0001")
    assert new.name == "未入账交换机" and new.department == world["dept"]
    ct = ContentType.objects.get_for_model(Asset)
    assert ChangeLogEntry.objects.filter(content_type=ct, object_id=str(a2.pk), action="update").exists()
    assert TimelineEvent.objects.filter(content_type=ct, object_id=str(a2.pk), verb="stocktake_adjusted").exists()
    plan = services.close_plan(plan=plan, actor=world["staff"])
    assert plan.status == StocktakeStatus.CLOSED and plan.closed_at


def test_rejected_review_leaves_ledger_and_allows_new_proposals(world):
    plan = reconcile(world)
    for adjustment in plan.adjustments.filter(difference=Difference.UNKNOWN):
        services.update_adjustment(adjustment=adjustment, actor=world["staff"], kind=AdjustmentKind.NOTE,
                                   note="访客自带设备")
    services.submit_adjustments(plan=plan, actor=world["staff"])
    task = approval_selectors.open_tasks_for(world["head"]).get()
    approvals.decide(task=task, actor=world["head"], decision="reject", opinion="再核实")
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.REJECTED}
    assert Asset.objects.get(number="ZC-2026-000003").status == AssetStatus.IN_STOCK
    assert len(services.propose_adjustments(plan=plan, actor=world["staff"])) == 3


def test_stocktake_due_after_reallocation(world):
    dept, other = world["dept"], world["other"]
    assert services.stocktake_due() == {"departments": [], "locations": []}
    Reallocation.objects.create(number="TJ-1", asset=world["a1"], from_department=dept, to_department=other,
                                reason="调剂")
    due = services.stocktake_due()
    assert {row["unit"].pk for row in due["departments"]} == {dept.pk, other.pk}
    assert {row["location"].pk for row in due["locations"]} == {world["room"].pk}
    # a closed full stock-take after the reallocation clears it
    plan = services.create_plan(actor=world["staff"], title="全面清查")
    plan = services.start_counting(plan=plan, actor=world["staff"])
    StocktakePlan.objects.filter(pk=plan.pk).update(status=StocktakeStatus.CLOSED,
                                                    closed_at=timezone.now() + datetime.timedelta(seconds=5))
    assert services.stocktake_due() == {"departments": [], "locations": []}


def test_apply_adjustment_is_idempotent(world):
    plan = reconcile(world)
    missing = plan.adjustments.get(difference=Difference.MISSING)
    services.apply_adjustment(adjustment=missing, actor=world["staff"])
    services.apply_adjustment(adjustment=missing, actor=world["staff"])
    assert StocktakeAdjustment.objects.get(pk=missing.pk).status == AdjustmentStatus.APPLIED
    ct = ContentType.objects.get_for_model(Asset)
    assert TimelineEvent.objects.filter(content_type=ct, verb="stocktake_lost").count() == 1


# --------------------------------------------------------------------------- inspections (AUD-01)


def test_inspection_findings_and_overdue(world):
    today = datetime.date(2026, 6, 1)
    rows = services.inspection_overdue_locations(today=today, period_days=30)
    assert {r["location"].pk for r in rows} == {world["room"].pk, world["room2"].pk, world["elsewhere"].pk}
    round_ = services.create_inspection(actor=world["staff"], location=world["room"],
                                        inspected_on=datetime.date(2026, 5, 20))
    assert round_.number.startswith("XJ-2026-")
    services.record_finding(round=round_, actor=world["staff"], asset=world["a1"], result="ok")
    with pytest.raises(RuleViolation):  # an issue needs a description
        services.record_finding(round=round_, actor=world["staff"], asset=world["a3"], result="issue")
    services.record_finding(round=round_, actor=world["staff"], asset=world["a3"], result="issue",
                            description="显示器闪烁", follow_up="报修")
    with pytest.raises(Conflict):
        services.record_finding(round=round_, actor=world["staff"], asset=world["a1"], result="ok")
    services.complete_inspection(round=round_, actor=world["staff"], summary="一处问题已报修")
    with pytest.raises(Conflict):
        services.record_finding(round=round_, actor=world["staff"], result="ok")
    rows = services.inspection_overdue_locations(today=today, period_days=30)
    assert world["room"].pk not in {r["location"].pk for r in rows}
    rows = services.inspection_overdue_locations(today=datetime.date(2026, 7, 1), period_days=30)
    assert world["room"].pk in {r["location"].pk for r in rows}
    # the period is a regulation parameter (定期巡检, 篇1 第十条(8))
    from zhidu.core import params

    assert params.get("assets.inspection_period_days") == 90


def test_periodic_stocktake_due_follows_the_parameter(world):
    state = services.periodic_stocktake_due(today=datetime.date(2026, 6, 1))
    assert state["last"] is None and state["overdue"] and state["period"] == 365
    plan = services.start_counting(plan=services.create_plan(actor=world["staff"], title="全面清查"),
                                   actor=world["staff"])
    closed = timezone.make_aware(datetime.datetime(2026, 1, 10, 10, 0))
    StocktakePlan.objects.filter(pk=plan.pk).update(status=StocktakeStatus.CLOSED, closed_at=closed)
    state = services.periodic_stocktake_due(today=datetime.date(2026, 6, 1))
    assert state["last"] == datetime.date(2026, 1, 10) and state["due"] == datetime.date(2027, 1, 10)
    assert not state["overdue"]
    assert services.periodic_stocktake_due(today=datetime.date(2027, 2, 1))["overdue"]


def test_register_refused_when_the_number_was_taken_meanwhile(world):
    plan = reconcile(world)
    unknown = plan.adjustments.get(difference=Difference.UNKNOWN)
    services.update_adjustment(adjustment=unknown, actor=world["staff"], kind=AdjustmentKind.REGISTER,
                               name="交换机", category=world["category"], to_department=world["dept"])
    AssetFactory(number="NEW-0001", department=world["dept"])
    with pytest.raises(RuleViolation):
        services.apply_adjustment(adjustment=unknown, actor=world["staff"])
    assert StocktakeAdjustment.objects.get(pk=unknown.pk).status == AdjustmentStatus.PROPOSED
