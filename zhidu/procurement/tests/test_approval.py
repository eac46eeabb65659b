"""Procurement through the approval engine: VAR-01 routing, decisions, the whole lifecycle.

篇1 第九条(2), PRC-03, N03/N04: a single contract ≤ 50,000.00 CNY (inclusive) is approved by the IT
supervising leader; above it by the CFO. VAR-01 (B): IT authority review (may choose 调剂) →
general manager.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from zhidu.core import params
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.procurement import services, workflows
from zhidu.procurement.approval import apply_preset
from zhidu.procurement.choices import RequestStatus
from zhidu.procurement.models import PurchaseRequest

from .factories import PersonFactory, grant, line, make_request

pytestmark = pytest.mark.django_db
S = RequestStatus
TODAY = datetime.date(2026, 3, 2)
VIEW = ["procurement.view_purchaserequest"]


@pytest.fixture
def people():
    apply_preset("A")
    leader = PersonFactory(name="王主管")
    cfo = PersonFactory(name="李财务总监")
    head = PersonFactory(name="赵主任")
    gm = PersonFactory(name="孙总经理")
    grant(leader, "it_leader", VIEW)
    grant(cfo, "cfo", VIEW)
    grant(head, "it_authority_head", VIEW)
    grant(gm, "general_manager", VIEW)
    return {"leader": leader, "cfo": cfo, "head": head, "gm": gm, "requester": PersonFactory(name="张三")}


def open_task(request):
    approval = approval_selectors.approval_for(request)
    return approval.tasks.get(status="open")


def approve(task, person, **kwargs):
    return approvals.decide(task=task, actor=person.user, decision="approve", opinion=kwargs.pop("opinion", "同意"),
                            **kwargs)


def test_boundary_50000_goes_to_it_leader(people):
    request = make_request(people["requester"], amount="50000.00")
    services.submit_request(request=request, actor=people["requester"].user)
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    assert request.routing_amount == Decimal("50000.00")
    task = open_task(request)
    assert task.assignee == people["leader"]
    approve(task, people["leader"])
    request.refresh_from_db()
    assert request.status == S.APPROVED and request.approval_choice == "purchase"


def test_50000_01_goes_to_cfo(people):
    request = make_request(people["requester"], amount="50000.01")
    services.submit_request(request=request, actor=people["requester"].user)
    assert open_task(request).assignee == people["cfo"]


def test_expected_contract_amount_routes_to_cfo(people):
    request = make_request(people["requester"], amount="48000.00", expected_contract_amount="51000.00")
    services.submit_request(request=request, actor=people["requester"].user)
    assert open_task(request).assignee == people["cfo"]


def test_60000_cannot_proceed_without_cfo(people):
    requester = people["requester"]
    request = make_request(requester, lines=[line(quantity=10, unit_price="6000.00")])
    services.submit_request(request=request, actor=requester.user)
    task = open_task(request)
    assert task.assignee == people["cfo"]
    # The IT leader cannot decide the CFO's step; nothing after approval is possible yet.
    with pytest.raises(PermissionDenied):
        approve(task, people["leader"])
    request.refresh_from_db()
    with pytest.raises(Conflict):
        services.add_quotation(request=request, actor=requester.user, supplier_name="A", amount="1", quoted_on=TODAY)
    with pytest.raises(Conflict):
        services.waive_quotations(request=request, actor=requester.user, reason="x")
    assert not workflows.possible(request, "order")
    approve(task, people["cfo"], opinion="同意采购")
    request.refresh_from_db()
    assert request.status == S.APPROVED


def test_threshold_is_a_parameter(people, admin_user):
    params.set_value(key="procurement.approval_threshold", value="60000.00", actor=admin_user, note="test")
    request = make_request(people["requester"], lines=[line(quantity=10, unit_price="6000.00")])
    services.submit_request(request=request, actor=people["requester"].user)
    assert open_task(request).assignee == people["leader"]


def test_submit_refuses_missing_fields_and_starts_no_approval(people):
    request = make_request(people["requester"], purpose="")
    with pytest.raises(workflows.MissingFields):
        services.submit_request(request=request, actor=people["requester"].user)
    request.refresh_from_db()
    assert request.status == S.DRAFT and approval_selectors.approval_for(request) is None


def test_return_edit_resubmit(people):
    requester = people["requester"]
    request = make_request(requester, amount="8000.00")
    services.submit_request(request=request, actor=requester.user)
    approvals.decide(task=open_task(request), actor=people["leader"].user, decision="return", opinion="请补充配置说明")
    request.refresh_from_db()
    assert request.status == S.RETURNED and request.is_editable
    services.update_request(request=request, actor=requester.user, title=request.title, kind=request.kind,
                            purpose=request.purpose, software_needs=request.software_needs,
                            configuration_standard="i5/16G/512G，标准配置", lines=[line(unit_price="8000.00")])
    services.submit_request(request=request, actor=requester.user)
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    approve(open_task(request), people["leader"])
    request.refresh_from_db()
    assert request.status == S.APPROVED
    ct = ContentType.objects.get_for_model(PurchaseRequest)
    verbs = list(TimelineEvent.objects.filter(content_type=ct, object_id=str(request.pk)).values_list("verb", flat=True))
    assert verbs[:1] == ["created"] and verbs.count("submitted") == 2 and "returned" in verbs


def test_reject(people):
    request = make_request(people["requester"])
    services.submit_request(request=request, actor=people["requester"].user)
    approvals.decide(task=open_task(request), actor=people["leader"].user, decision="reject", opinion="预算不足")
    request.refresh_from_db()
    assert request.status == S.REJECTED and request.closed_at is not None
    with pytest.raises(Conflict):
        services.submit_request(request=request, actor=people["requester"].user)


def test_withdraw_in_approval(people):
    request = make_request(people["requester"])
    services.submit_request(request=request, actor=people["requester"].user)
    services.withdraw_request(request=request, actor=people["requester"].user, reason="需求取消")
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN
    assert approval_selectors.approval_for(request).status == "withdrawn"


def test_variant_b_reallocate(people, admin_user):
    """VAR-01 (B), PRC-05: 办公室 review chooses 调剂, the general manager approves → reallocated."""
    params.set_value(key="procurement.routing_variant", value="B", actor=admin_user, note="篇14/5 第十四条")
    request = make_request(people["requester"], amount="3000.00")
    services.submit_request(request=request, actor=people["requester"].user)
    task = open_task(request)
    assert task.assignee == people["head"]
    with pytest.raises(RuleViolation):  # a choice is required at this step
        approve(task, people["head"])
    approve(task, people["head"], choice="reallocate", opinion="库存有闲置电脑，调剂使用")
    task = open_task(request)
    assert task.assignee == people["gm"]
    approve(task, people["gm"])
    request.refresh_from_db()
    assert request.status == S.REALLOCATED and request.approval_choice == "reallocate"
    assert request.status in workflows.TERMINAL


def test_variant_b_purchase_whatever_the_amount(people, admin_user):
    params.set_value(key="procurement.routing_variant", value="B", actor=admin_user)
    request = make_request(people["requester"], lines=[line(quantity=20, unit_price="6000.00")])
    services.submit_request(request=request, actor=people["requester"].user)
    approve(open_task(request), people["head"], choice="purchase")
    approve(open_task(request), people["gm"])
    request.refresh_from_db()
    assert request.status == S.APPROVED


def test_full_lifecycle(people):
    requester = people["requester"]
    request = make_request(requester, lines=[line(quantity=2, unit_price="6500.00"),
                                             line(item="HP LaserJet Pro M404dn", quantity=1, unit_price="2300.00")])
    services.submit_request(request=request, actor=requester.user)
    approve(open_task(request), people["leader"])
    for i, supplier in enumerate(["联想", "京东企业购", "本地经销商"]):
        services.add_quotation(request=request, actor=requester.user, supplier_name=supplier,
                               amount=Decimal("15300") + i * 100, quoted_on=TODAY)
    services.create_order(request=request, actor=requester.user, supplier_name="联想", contract_no="HT-2026-001",
                          amount="15300.00", signed_on=TODAY)
    request.refresh_from_db()
    results = [services.AcceptanceInput(line_id=pl.pk, accepted_quantity=pl.quantity) for pl in request.lines.all()]
    services.record_acceptance(request=request, actor=requester.user, accepted_by=people["head"], results=results)
    services.create_stock_in(request=request, actor=requester.user, received_by=people["head"], location="IT 库房")
    services.record_reimbursement(request=request, actor=requester.user, amount="15300.00", invoice_no="12345678",
                                  reimbursed_on=TODAY)
    services.close_request(request=request, actor=requester.user)
    request.refresh_from_db()
    assert request.status == S.CLOSED
