"""Services and guards of procurement that do not depend on the approval routing.

Routing (VAR-01) and the full lifecycle through the approval engine are in test_approval.py.
Requests are put into a post-approval status directly where a test is about a later step.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import ChangeLogEntry, TimelineEvent
from zhidu.procurement import services, workflows
from zhidu.procurement.choices import LineCategory, RejectedAction, RequestStatus
from zhidu.procurement.models import PurchaseRequest, StockIn

from .factories import OrgUnitFactory, PersonFactory, line, make_request

pytestmark = pytest.mark.django_db
S = RequestStatus
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def requester():
    return PersonFactory()


@pytest.fixture
def it_person():
    return PersonFactory(department=OrgUnitFactory(name="综合管理部", is_it_authority=True))


def set_status(request, status):
    PurchaseRequest.objects.filter(pk=request.pk).update(status=status, routing_amount=request.contract_amount)
    request.refresh_from_db()
    return request


def add_quotes(request, actor, n=3):
    for i in range(n):
        services.add_quotation(request=request, actor=actor, supplier_name=f"供应商{i}", amount=Decimal("5800") + i,
                               quoted_on=TODAY)


def ordered(requester, *, lines=None):
    request = set_status(make_request(requester, lines=lines), S.APPROVED)
    add_quotes(request, requester.user)
    services.create_order(request=request, actor=requester.user, supplier_name="联想（北京）有限公司",
                          contract_no=f"HT-{request.pk}", amount=request.total_amount, signed_on=TODAY)
    request.refresh_from_db()
    return request


# --- Creation, numbering, totals ----------------------------------------------------------


def test_create_allocates_number_and_totals(requester):
    request = make_request(requester, lines=[line(quantity=2, unit_price="4999.50"), line(item="HP打印机", quantity=1,
                                                                                         unit_price="1500.00")])
    assert request.number.startswith("CG-") and len(request.number) == len("CG-2026-000001")
    assert request.status == S.DRAFT
    assert request.total_amount == Decimal("11499.00")
    assert request.department == requester.department
    second = make_request(requester)
    assert int(second.number[-6:]) == int(request.number[-6:]) + 1
    ct = ContentType.objects.get_for_model(PurchaseRequest)
    assert TimelineEvent.objects.filter(content_type=ct, object_id=str(request.pk), verb="created").exists()
    assert ChangeLogEntry.objects.filter(content_type=ct, object_id=str(request.pk), action="create").exists()


def test_update_replaces_lines_and_recomputes_total(requester):
    request = make_request(requester, lines=[line(quantity=1, unit_price="1000"), line(item="显示器", unit_price="900")])
    first = request.lines.order_by("position").first()
    services.update_request(
        request=request, actor=requester.user, title="改", kind=request.kind, purpose="p", software_needs="s",
        configuration_standard="c",
        lines=[services.LineInput(id=first.pk, item=first.item, quantity=3, unit_price=Decimal("1000"))],
    )
    request.refresh_from_db()
    assert request.lines.count() == 1
    assert request.lines.get().pk == first.pk
    assert request.total_amount == Decimal("3000.00")


def test_total_check_constraint_in_database(requester):
    request = make_request(requester)
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseRequest.objects.filter(pk=request.pk).update(total_amount=Decimal("-1"))


def test_line_validation(requester):
    with pytest.raises(RuleViolation, match="篇14/5 第九条"):
        make_request(requester, lines=[line(quantity=0)])
    with pytest.raises(RuleViolation):
        make_request(requester, lines=[line(unit_price="-1")])
    with pytest.raises(RuleViolation):
        make_request(requester, lines=[line(unit_price="1.001")])
    with pytest.raises(RuleViolation):
        make_request(requester, lines=[line(item="  ")])


def test_edit_refused_after_submission(requester):
    request = set_status(make_request(requester), S.SUBMITTED)
    with pytest.raises(Conflict):
        services.update_request(request=request, actor=requester.user, title="x", kind=request.kind, lines=[line()])


def test_contract_amount_is_max_of_total_and_expected(requester):
    request = make_request(requester, amount="30000.00")
    assert request.contract_amount == Decimal("30000.00")
    request = make_request(requester, amount="30000.00", expected_contract_amount="52000.00")
    assert request.contract_amount == Decimal("52000.00")
    request = make_request(requester, amount="30000.00", expected_contract_amount="100.00")
    assert request.contract_amount == Decimal("30000.00")  # stating less never lowers the routing amount


# --- Submission guards (PRC-04, PRC-09, PRC-15) --------------------------------------------


def test_submit_guard_reports_each_missing_field(requester):
    request = make_request(requester, purpose="", software_needs=" ", configuration_standard="")
    with pytest.raises(workflows.MissingFields) as excinfo:
        workflows.check(request, "submit")
    assert set(excinfo.value.errors) == {"purpose", "software_needs", "configuration_standard"}
    assert "篇14/5 第九条" in excinfo.value.message
    assert excinfo.value.article == "篇14/5 第九条"


def test_submit_guard_needs_lines(requester):
    request = make_request(requester)
    request.lines.all().delete()
    with pytest.raises(RuleViolation) as excinfo:
        workflows.check(request, "submit")
    assert excinfo.value.code == "no_lines"


def test_deviation_needs_justification(requester):
    request = make_request(requester, deviates_from_standard=True)
    with pytest.raises(workflows.MissingFields) as excinfo:
        workflows.check(request, "submit")
    assert "deviation_justification" in excinfo.value.errors
    assert "PRC-15" in excinfo.value.message


def test_infrastructure_restricted_to_it_authority(requester, it_person):
    """PRC-09 (篇2 第八条): a department cannot request servers; the IT authority can."""
    with pytest.raises(RuleViolation) as excinfo:
        make_request(requester, lines=[line(item="服务器", category=LineCategory.SERVER, unit_price="48000")])
    assert excinfo.value.article == "篇2 第八条"
    request = make_request(it_person, lines=[line(item="华为 FusionServer 2288H", category=LineCategory.SERVER,
                                                  unit_price="48000")])
    workflows.check(request, "submit")


def test_infrastructure_allowed_in_sub_unit_of_it_authority():
    parent = OrgUnitFactory(name="信息中心", is_it_authority=True)
    child = OrgUnitFactory(name="网络组", parent=parent)
    person = PersonFactory(department=child)
    make_request(person, lines=[line(item="核心交换机", category=LineCategory.NETWORK_CORE, unit_price="30000")])


def test_transition_map_is_consistent():
    assert S.SUBMITTED in workflows.STATUS_GRAPH[S.DRAFT]
    assert {S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN, S.REALLOCATED} <= workflows.STATUS_GRAPH[S.SUBMITTED]
    assert S.ORDERED in workflows.STATUS_GRAPH[S.QUOTING]
    assert S.REIMBURSED in workflows.STATUS_GRAPH[S.STOCKED_IN]
    for terminal in workflows.TERMINAL:
        assert not workflows.STATUS_GRAPH.get(terminal)


def test_withdraw_draft(requester):
    request = make_request(requester)
    services.withdraw_request(request=request, actor=requester.user, reason="不需要了")
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN and request.closed_at is not None
    with pytest.raises(Conflict):
        services.withdraw_request(request=request, actor=requester.user)


def test_delete_draft(requester):
    request = make_request(requester)
    services.delete_draft(request=request, actor=requester.user)
    assert not PurchaseRequest.objects.filter(pk=request.pk).exists()


# --- Quotations and ordering (PRC-11) -----------------------------------------------------


def test_order_needs_three_quotations_or_waiver(requester):
    request = set_status(make_request(requester, amount="6000"), S.APPROVED)
    add_quotes(request, requester.user, n=2)
    request.refresh_from_db()
    assert request.status == S.QUOTING
    with pytest.raises(RuleViolation) as excinfo:
        services.create_order(request=request, actor=requester.user, supplier_name="A", contract_no="HT-1",
                              amount="6000", signed_on=TODAY)
    assert excinfo.value.code == "quotations_missing"
    assert "篇6 第三条(7)" in str(excinfo.value)
    services.waive_quotations(request=request, actor=requester.user, reason="原厂唯一授权经销商")
    order = services.create_order(request=request, actor=requester.user, supplier_name="A", contract_no="HT-1",
                                  amount="6000", signed_on=TODAY)
    request.refresh_from_db()
    assert request.status == S.ORDERED and order.request_id == request.pk


def test_order_with_three_quotations(requester):
    request = set_status(make_request(requester, amount="6000"), S.APPROVED)
    add_quotes(request, requester.user, n=3)
    quotation = request.quotations.order_by("amount").first()
    order = services.create_order(request=request, actor=requester.user, supplier_name="", contract_no="HT-2",
                                  amount="5800", signed_on=TODAY, quotation=quotation)
    assert order.supplier_name == quotation.supplier_name


def test_waiver_needs_reason(requester):
    request = set_status(make_request(requester), S.APPROVED)
    with pytest.raises(RuleViolation):
        services.waive_quotations(request=request, actor=requester.user, reason="  ")


def test_duplicate_supplier_refused(requester):
    request = set_status(make_request(requester), S.APPROVED)
    services.add_quotation(request=request, actor=requester.user, supplier_name="京东企业购", amount="1", quoted_on=TODAY)
    with pytest.raises(RuleViolation):
        services.add_quotation(request=request, actor=requester.user, supplier_name="京东企业购", amount="2",
                               quoted_on=TODAY)


def test_quotations_refused_before_approval(requester):
    request = make_request(requester)
    with pytest.raises(Conflict):
        services.add_quotation(request=request, actor=requester.user, supplier_name="A", amount="1", quoted_on=TODAY)


def test_contract_above_approved_amount_refused(requester):
    """篇1 第九条(2): a contract larger than what was approved needs a new approval."""
    request = set_status(make_request(requester, amount="50000.00"), S.APPROVED)
    add_quotes(request, requester.user)
    with pytest.raises(RuleViolation) as excinfo:
        services.create_order(request=request, actor=requester.user, supplier_name="A", contract_no="HT-3",
                              amount="50000.01", signed_on=TODAY)
    assert excinfo.value.article == "篇1 第九条(2)"


def test_min_quotations_is_a_parameter(requester, admin_user):
    from zhidu.core import params

    params.set_value(key="procurement.min_quotations", value=2, actor=admin_user, note="test")
    request = set_status(make_request(requester), S.APPROVED)
    add_quotes(request, requester.user, n=2)
    services.create_order(request=request, actor=requester.user, supplier_name="A", contract_no="HT-4",
                          amount=request.total_amount, signed_on=TODAY)


# --- Acceptance (PRC-12) -----------------------------------------------------------------


def test_acceptance_quantities(requester):
    request = ordered(requester, lines=[line(quantity=5, unit_price="1000")])
    pl = request.lines.get()
    acceptor = PersonFactory()
    with pytest.raises(RuleViolation) as excinfo:
        services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
            services.AcceptanceInput(line_id=pl.pk, accepted_quantity=4, rejected_quantity=2,
                                     rejected_action=RejectedAction.EXCHANGE)])
    assert excinfo.value.code == "quantity_exceeded"
    with pytest.raises(RuleViolation) as excinfo:
        services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
            services.AcceptanceInput(line_id=pl.pk, accepted_quantity=4, rejected_quantity=1)])
    assert excinfo.value.code == "rejected_action_required"
    services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
        services.AcceptanceInput(line_id=pl.pk, accepted_quantity=4, rejected_quantity=1,
                                 rejected_action=RejectedAction.EXCHANGE, notes="屏幕坏点")])
    request.refresh_from_db()
    assert request.status == S.PARTIALLY_ACCEPTED
    # The exchanged unit arrives and is accepted: only 1 is still outstanding.
    with pytest.raises(RuleViolation):
        services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
            services.AcceptanceInput(line_id=pl.pk, accepted_quantity=2)])
    services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
        services.AcceptanceInput(line_id=pl.pk, accepted_quantity=1)])
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    with pytest.raises(Conflict):
        services.record_acceptance(request=request, actor=requester.user, accepted_by=acceptor, results=[
            services.AcceptanceInput(line_id=pl.pk, accepted_quantity=1)])


def test_acceptance_rejects_foreign_line(requester):
    request = ordered(requester)
    other = make_request(requester)
    with pytest.raises(RuleViolation):
        services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
            services.AcceptanceInput(line_id=other.lines.get().pk, accepted_quantity=1)])


def test_acceptance_before_order_refused(requester):
    request = set_status(make_request(requester), S.APPROVED)
    with pytest.raises(Conflict):
        services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
            services.AcceptanceInput(line_id=request.lines.get().pk, accepted_quantity=1)])


# --- Stock-in and reimbursement (PRC-13, PRC-17) ---------------------------------------------


def test_reimbursement_blocked_before_stock_in(requester):
    """PRC-13 (篇6 第三条(24)): no reimbursement before the goods are stocked in."""
    request = ordered(requester, lines=[line(quantity=2, unit_price="3000")])
    with pytest.raises(RuleViolation) as excinfo:
        services.record_reimbursement(request=request, actor=requester.user, amount="6000", invoice_no="No.1",
                                      reimbursed_on=TODAY)
    assert excinfo.value.article == "篇6 第三条(24)"
    assert not isinstance(excinfo.value, Conflict)
    pl = request.lines.get()
    services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
        services.AcceptanceInput(line_id=pl.pk, accepted_quantity=2)])
    request.refresh_from_db()
    with pytest.raises(RuleViolation) as excinfo:
        services.record_reimbursement(request=request, actor=requester.user, amount="6000", invoice_no="No.1",
                                      reimbursed_on=TODAY)
    assert excinfo.value.code == "not_stocked_in"
    stock_in = services.create_stock_in(request=request, actor=requester.user, received_by=requester,
                                        location="主楼 3 楼 IT 库房")
    assert stock_in.number.startswith("RK-")
    assert [(sl.line_id, sl.quantity) for sl in stock_in.lines.all()] == [(pl.pk, 2)]
    request.refresh_from_db()
    assert request.status == S.STOCKED_IN
    services.record_reimbursement(request=request, actor=requester.user, amount="6000", invoice_no="No.1",
                                  reimbursed_on=TODAY)
    request.refresh_from_db()
    assert request.status == S.REIMBURSED
    services.close_request(request=request, actor=requester.user)
    request.refresh_from_db()
    assert request.status == S.CLOSED


def test_partial_acceptance_stock_in_then_exchange(requester):
    """PRC-17: every accepted item ends up in a stock-in before reimbursement."""
    request = ordered(requester, lines=[line(quantity=3, unit_price="1000")])
    pl = request.lines.get()
    services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
        services.AcceptanceInput(line_id=pl.pk, accepted_quantity=2, rejected_quantity=1,
                                 rejected_action=RejectedAction.EXCHANGE)])
    request.refresh_from_db()
    services.create_stock_in(request=request, actor=requester.user, received_by=requester, location="库房")
    request.refresh_from_db()
    with pytest.raises(Conflict):  # nothing more to stock in
        services.create_stock_in(request=request, actor=requester.user, received_by=requester, location="库房")
    services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
        services.AcceptanceInput(line_id=pl.pk, accepted_quantity=1)])
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    with pytest.raises(RuleViolation) as excinfo:
        services.record_reimbursement(request=request, actor=requester.user, amount="3000", invoice_no="No.2",
                                      reimbursed_on=TODAY)
    assert excinfo.value.code == "accepted_not_stocked"
    second = services.create_stock_in(request=request, actor=requester.user, received_by=requester, location="库房")
    assert second.lines.get().quantity == 1
    assert StockIn.objects.filter(request=request).count() == 2
    request.refresh_from_db()
    with pytest.raises(RuleViolation):  # more than the contract
        services.record_reimbursement(request=request, actor=requester.user, amount="3000.01", invoice_no="No.2",
                                      reimbursed_on=TODAY)
    services.record_reimbursement(request=request, actor=requester.user, amount="3000", invoice_no="No.2",
                                  reimbursed_on=TODAY)


def test_stock_in_signal_sent_inside_the_transaction(requester, django_capture_on_commit_callbacks):
    """PRC-17: receivers run inside the stock-in transaction (so their failure rolls it back)."""
    from django.db import transaction

    from zhidu.procurement.signals import stock_in_created

    received = []

    def listener(sender, stock_in, **kwargs):
        assert transaction.get_connection().in_atomic_block
        received.append(stock_in.number)

    stock_in_created.connect(listener)
    try:
        request = ordered(requester)
        services.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
            services.AcceptanceInput(line_id=request.lines.get().pk, accepted_quantity=1)])
        request.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            stock_in = services.create_stock_in(request=request, actor=requester.user, received_by=requester,
                                                location="库房")
    finally:
        stock_in_created.disconnect(listener)
    assert received == [stock_in.number]


# --- Self-purchase filing (PRC-02, PRC-07) -------------------------------------------------


def filing_data(**overrides):
    data = {
        "item": "扫描仪", "model_name": "富士通 fi-7160", "performance": "60ppm 双面", "manufacturer": "富士通",
        "supplier": "京东企业购", "purchase_date": TODAY, "software_info": "PaperStream Capture", "quantity": 1,
        "category": LineCategory.OFFICE_DEVICE,
    }
    data.update(overrides)
    return data


def test_self_purchase_mandatory_fields(requester):
    with pytest.raises(workflows.MissingFields) as excinfo:
        services.register_self_purchase(actor=requester.user, registered_by=requester,
                                        **filing_data(model_name="", software_info="", purchase_date=None))
    assert set(excinfo.value.errors) == {"model_name", "software_info", "purchase_date"}
    assert "篇14/5 第十条" in excinfo.value.message


def test_self_purchase_filing_lifecycle(requester, admin_user):
    from zhidu.procurement.selectors import awaiting_filing

    filing = services.register_self_purchase(actor=requester.user, registered_by=requester, **filing_data())
    assert filing.number.startswith("BA-")
    assert list(awaiting_filing(admin_user)) == [filing]
    services.file_self_purchase(filing=filing, actor=admin_user, note="已登记入台账")
    filing.refresh_from_db()
    assert filing.status == "filed" and filing.filed_at is not None
    assert list(awaiting_filing(admin_user)) == []
    with pytest.raises(Conflict):
        services.file_self_purchase(filing=filing, actor=admin_user)
    with pytest.raises(Conflict):
        services.update_self_purchase(filing=filing, actor=admin_user, **filing_data())
