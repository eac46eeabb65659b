"""Disposal services and guards (DSP-01…08, VAR-05), through the real approval engine."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhidu.assets import workflows as asset_workflows
from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.assets.models import CustodyPeriod
from zhidu.core import params
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.testing import make_user
from zhidu.disposal import services
from zhidu.disposal.approval import apply_preset
from zhidu.disposal.choices import LineOutcome, ScrapStatus
from zhidu.disposal.models import ScrapLine
from zhidu.disposal.selectors import is_disposal_locked, stores_data

from .factories import AssetFactory, CategoryFactory, OrgUnitFactory, hardware, make_request, software

pytestmark = pytest.mark.django_db
S = ScrapStatus
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def world():
    dept = OrgUnitFactory(name="财务部")
    it = OrgUnitFactory(name="综合管理部")
    return {
        "dept": dept,
        "requester": make_user(name="张三", department=dept, perms=["assets.view_asset"], scope=dept).person,
        "it": make_user(name="IT王工", department=it, roles=["it_staff"]).person,
        "head": make_user(name="赵主任", department=it, roles=["it_authority_head"]).person,
        "finance": make_user(name="钱会计", roles=["finance"]).person,
        "gm": make_user(name="孙总经理", roles=["general_manager"]).person,
        "leader": make_user(name="王主管", roles=["it_leader"]).person,
    }


def open_tasks(request):
    return list(approval_selectors.approval_for(request).tasks.filter(status="open"))


def approve_all(request, expected_roles_people):
    """Approve step by step, asserting who decides each step."""
    for person in expected_roles_people:
        tasks = open_tasks(request)
        assert [t.assignee for t in tasks] == [person]
        approvals.decide(task=tasks[0], actor=person.user, decision="approve", opinion="同意报废")
    request.refresh_from_db()


def submitted(world, lines):
    request = make_request(world["requester"], lines, actor=world["requester"].user)
    services.submit_request(request=request, actor=world["requester"].user)
    request.refresh_from_db()
    assert request.status == S.APPRAISAL
    return request


def verdicts(request, *values):
    lines = list(request.lines.order_by("position"))
    return [services.VerdictInput(line_id=line.pk, verdict=v, notes="鉴定意见") for line, v in zip(lines, values,
                                                                                                   strict=True)]


def test_number_format(world):
    request = make_request(world["requester"], [hardware(AssetFactory(department=world["dept"]))])
    assert request.number.startswith(f"BF-{timezone.localdate().year}-") and len(request.number) == 14
    assert request.status == S.DRAFT and request.department == world["dept"]


def test_batch_with_mixed_verdicts_variant_a_end_to_end(world):
    """DSP-02 batch: two to scrap, one to repair, one software licence; VAR-05 (A) chain; recovery,
    sanitisation (DSP-07), disposal record (DSP-04)."""
    apply_preset("A")
    pc = AssetFactory(department=world["dept"], status=AssetStatus.IN_USE, custodian=world["requester"])
    CustodyPeriod.objects.create(asset=pc, custodian=world["requester"], department=world["dept"],
                                 started=timezone.now())
    switch_cat = CategoryFactory(kind=CategoryKind.NETWORK)
    switch = AssetFactory(department=world["dept"], category=switch_cat, name="H3C 交换机")
    to_repair = AssetFactory(department=world["dept"])
    request = submitted(world, [hardware(pc), hardware(switch), hardware(to_repair), software()])

    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap", "scrap", "repair",
                                                                                 "scrap"))
    request.refresh_from_db()
    assert request.status == S.APPROVAL and request.routing_variant == "A"
    assert request.appraised_by == world["it"]
    repair_line = request.lines.get(asset=to_repair)
    assert repair_line.outcome == LineOutcome.TO_REPAIR
    assert TimelineEvent.objects.filter(object_id=str(to_repair.pk), verb="scrap_repair").exists()

    approve_all(request, [world["head"], world["finance"], world["gm"]])
    assert request.status == S.APPROVED
    assert set(request.lines.values_list("outcome", flat=True)) == {LineOutcome.APPROVED, LineOutcome.TO_REPAIR}
    pc.refresh_from_db()
    assert pc.status == AssetStatus.IN_USE and is_disposal_locked(pc)  # approved, not yet recovered (DSP-08)
    assert not is_disposal_locked(to_repair)
    # The custody workflows refuse to move an approved asset (DSP-08), but not the one sent to repair.
    with pytest.raises(RuleViolation) as err:
        asset_workflows.check(pc, "change_custodian")
    assert err.value.code == "disposal_locked" and "第十一条" in err.value.message
    to_repair.refresh_from_db()
    asset_workflows.check(to_repair, "reallocate")

    services.recover(request=request, actor=world["it"].user)
    pc.refresh_from_db()
    to_repair.refresh_from_db()
    assert pc.status == AssetStatus.TO_DISPOSE and pc.custodian is None
    assert not CustodyPeriod.objects.filter(asset=pc, ended__isnull=True).exists()
    assert to_repair.status == AssetStatus.IN_STOCK
    assert is_disposal_locked(pc)

    # DSP-07 / 篇13 3②: the computer stores data — no disposal before its sanitisation record.
    with pytest.raises(RuleViolation) as err:
        services.record_disposal(request=request, actor=world["it"].user, method="recycling",
                                 recipient="绿色回收公司", disposed_on=DAY)
    assert err.value.code == "sanitisation_required" and "篇13 3②" in err.value.message
    pc.refresh_from_db()
    assert pc.status == AssetStatus.TO_DISPOSE
    pc_line = request.lines.get(asset=pc)
    with pytest.raises(RuleViolation):
        services.record_sanitisation(line=pc_line, actor=world["it"].user, method="not_applicable",
                                     performed_by=world["it"], verified_by=world["head"], performed_on=DAY)
    services.record_sanitisation(line=pc_line, actor=world["it"].user, method="overwrite",
                                 performed_by=world["it"], verified_by=world["head"], performed_on=DAY)
    with pytest.raises(Conflict):
        services.record_sanitisation(line=pc_line, actor=world["it"].user, method="degauss",
                                     performed_by=world["it"], verified_by=world["head"], performed_on=DAY)
    software_line = request.lines.get(kind="software")
    with pytest.raises(RuleViolation):
        services.record_sanitisation(line=software_line, actor=world["it"].user, method="overwrite",
                                     performed_by=world["it"], verified_by=world["head"], performed_on=DAY)

    record = services.record_disposal(request=request, actor=world["it"].user, method="recycling",
                                      recipient="绿色回收公司", disposed_on=DAY, proceeds="120.00")
    request.refresh_from_db()
    pc.refresh_from_db()
    switch.refresh_from_db()
    assert request.status == S.DISPOSED and request.closed_at is not None
    assert pc.status == AssetStatus.DISPOSED and switch.status == AssetStatus.DISPOSED
    assert record.proceeds == Decimal("120.00") and record.lines.count() == 3
    assert TimelineEvent.objects.filter(object_id=str(pc.pk), verb="disposed").exists()


def test_partial_disposal_keeps_request_open(world):
    apply_preset("C")
    cat = CategoryFactory(kind=CategoryKind.PERIPHERAL)
    a, b = AssetFactory(department=world["dept"], category=cat), AssetFactory(department=world["dept"], category=cat)
    request = submitted(world, [hardware(a), hardware(b)])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap", "scrap"))
    approve_all(request, [world["gm"]])
    services.recover(request=request, actor=world["it"].user)
    line_a = request.lines.get(asset=a)
    services.record_disposal(request=request, actor=world["it"].user, method="donation", recipient="希望小学",
                             disposed_on=DAY, line_ids=[line_a.pk])
    request.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert request.status == S.RECOVERED
    assert a.status == AssetStatus.DISPOSED and b.status == AssetStatus.TO_DISPOSE  # DSP-04: b has no record yet
    with pytest.raises(RuleViolation):
        services.record_disposal(request=request, actor=world["it"].user, method="donation", recipient="x",
                                 disposed_on=DAY, line_ids=[line_a.pk])


def test_variant_b_routing(world):
    """VAR-05 (B), 篇14/5 第十八条: 办公室 review → 公司主管领导."""
    apply_preset("B")
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    approve_all(request, [world["head"], world["leader"]])
    assert request.status == S.APPROVED


def test_variant_c_routing(world):
    """VAR-05 (C), 篇12: the IT head submits, the school leader approves."""
    apply_preset("C")
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["head"].user, verdicts=verdicts(request, "scrap"))
    approve_all(request, [world["gm"]])
    assert request.status == S.APPROVED


def test_variant_parameter_applies_preset(world):
    """Choosing VAR-05 (B) on the parameters page makes its preset the active policy."""
    admin = make_user(superuser=True)
    apply_preset("A")
    params.set_value(key="disposal.routing_variant", value="B", actor=admin, note="篇14/5 第十八条")
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    request.refresh_from_db()
    assert request.routing_variant == "B"
    assert open_tasks(request)[0].assignee == world["head"]
    approve_all(request, [world["head"], world["leader"]])


def test_policy_is_created_from_the_parameter_when_missing(world):
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    assert open_tasks(request)[0].assignee == world["head"]  # default variant A


def test_all_repair_closes_without_approval(world):
    request = submitted(world, [hardware(AssetFactory(department=world["dept"])), software()])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "repair", "repair"))
    request.refresh_from_db()
    assert request.status == S.REPAIR and approval_selectors.approval_for(request) is None


def test_every_item_needs_a_verdict(world):
    request = submitted(world, [hardware(AssetFactory(department=world["dept"])), software()])
    with pytest.raises(RuleViolation):
        services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap", "repair")[:1])


def test_rejection_sends_items_back_to_repair(world):
    apply_preset("C")
    asset = AssetFactory(department=world["dept"])
    request = submitted(world, [hardware(asset)])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    task = open_tasks(request)[0]
    approvals.decide(task=task, actor=world["gm"].user, decision="reject", opinion="尚可维修")
    request.refresh_from_db()
    asset.refresh_from_db()
    assert request.status == S.REJECTED
    assert request.lines.get().outcome == LineOutcome.NOT_APPROVED
    assert asset.status == AssetStatus.IN_STOCK and not is_disposal_locked(asset)
    # The asset may go on a new request.
    make_request(world["requester"], [hardware(asset)])


def test_return_and_resubmit(world):
    apply_preset("C")
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    approvals.decide(task=open_tasks(request)[0], actor=world["gm"].user, decision="return", opinion="补充原因")
    request.refresh_from_db()
    assert request.status == S.RETURNED
    services.submit_request(request=request, actor=world["requester"].user)
    request.refresh_from_db()
    assert request.status == S.APPRAISAL and request.lines.get().verdict == ""


def test_withdraw_in_approval(world):
    apply_preset("C")
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    services.withdraw_request(request=request, actor=world["requester"].user, reason="设备已修复")
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN
    assert approval_selectors.approval_for(request).status == "withdrawn"


def test_asset_on_one_running_request_only(world):
    asset = AssetFactory(department=world["dept"])
    make_request(world["requester"], [hardware(asset)])
    with pytest.raises(RuleViolation) as err:
        make_request(world["requester"], [hardware(asset)])
    assert err.value.code == "duplicate"


def test_disposed_or_awaiting_assets_refused(world):
    for status in (AssetStatus.TO_DISPOSE, AssetStatus.DISPOSED):
        asset = AssetFactory(department=world["dept"], status=status)
        assert is_disposal_locked(asset)
        with pytest.raises(RuleViolation):
            make_request(world["requester"], [hardware(asset)])


def test_reason_required_per_item(world):
    with pytest.raises(RuleViolation):
        make_request(world["requester"], [hardware(AssetFactory(department=world["dept"]), reason=" ")])


def test_out_of_scope_asset_refused(world):
    other = AssetFactory()  # another department, the requester has no role there
    with pytest.raises(RuleViolation):
        make_request(world["requester"], [hardware(other)], actor=world["requester"].user)


def test_status_conflicts(world):
    request = submitted(world, [hardware(AssetFactory(department=world["dept"]))])
    with pytest.raises(Conflict):
        services.recover(request=request, actor=world["it"].user)
    with pytest.raises(Conflict):
        services.record_disposal(request=request, actor=world["it"].user, method="sale", recipient="x",
                                 disposed_on=DAY)
    with pytest.raises(Conflict):
        services.submit_request(request=request, actor=world["requester"].user)


def test_disposed_line_needs_a_record_in_the_database(world):
    """DSP-04 as an invariant: a line is "disposed" only with its disposal record."""
    request = make_request(world["requester"], [software()])
    with pytest.raises(IntegrityError), transaction.atomic():
        ScrapLine.objects.filter(request=request).update(outcome=LineOutcome.DISPOSED)


def test_stores_data():
    office = CategoryFactory(kind=CategoryKind.OFFICE)
    assert stores_data(AssetFactory.build(category=CategoryFactory(kind=CategoryKind.COMPUTER)))
    assert stores_data(AssetFactory.build(category=CategoryFactory(kind=CategoryKind.SERVER)))
    assert stores_data(AssetFactory.build(category=office, attributes={"has_disk": True}))
    assert not stores_data(AssetFactory.build(category=office, attributes={}))
    assert not stores_data(AssetFactory.build(category=CategoryFactory(kind=CategoryKind.NETWORK)))


def test_office_device_with_disk_needs_sanitisation(world):
    apply_preset("C")
    copier = AssetFactory(department=world["dept"], category=CategoryFactory(kind=CategoryKind.OFFICE),
                          attributes={"has_disk": True}, name="理光复印机")
    request = submitted(world, [hardware(copier)])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    approve_all(request, [world["gm"]])
    services.recover(request=request, actor=world["it"].user)
    with pytest.raises(RuleViolation):
        services.record_disposal(request=request, actor=world["it"].user, method="destruction", recipient="销毁厂",
                                 disposed_on=DAY)


def test_asset_lifecycle_guards(world):
    """Recovery needs the device back (not on loan); "disposed" needs the disposal record (DSP-04)."""
    apply_preset("C")
    loaned = AssetFactory(department=world["dept"], status=AssetStatus.ON_LOAN, custodian=world["requester"])
    request = submitted(world, [hardware(loaned)])
    services.appraise(request=request, actor=world["it"].user, verdicts=verdicts(request, "scrap"))
    approve_all(request, [world["gm"]])
    with pytest.raises(Conflict):
        services.recover(request=request, actor=world["it"].user)
    waiting = AssetFactory(department=world["dept"], status=AssetStatus.TO_DISPOSE)
    with pytest.raises(RuleViolation) as err:
        services.set_asset_status(asset=waiting, transition="dispose", actor=None, message="x")
    assert err.value.code == "no_disposal_record"
