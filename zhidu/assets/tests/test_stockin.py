"""Stock-in from procurement creates the asset cards, atomically with the stock-in (PRC-17)."""

import datetime
from decimal import Decimal

import pytest

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, Supplier
from zhidu.procurement import services as procurement
from zhidu.procurement.choices import LineCategory, RequestStatus
from zhidu.procurement.models import PurchaseRequest, StockIn
from zhidu.procurement.signals import stock_in_created
from zhidu.procurement.tests.factories import PersonFactory, line, make_request

from .factories import OrgUnitFactory

pytestmark = pytest.mark.django_db
SIGNED = datetime.date(2026, 3, 2)


def accepted_request(requester, lines):
    request = make_request(requester, lines=lines)
    PurchaseRequest.objects.filter(pk=request.pk).update(status=RequestStatus.APPROVED,
                                                         routing_amount=request.total_amount)
    request.refresh_from_db()
    procurement.waive_quotations(request=request, actor=requester.user, reason="单一来源")
    procurement.create_order(request=request, actor=requester.user, supplier_name="联想（北京）有限公司",
                             contract_no=f"HT-{request.pk}", amount=request.total_amount, signed_on=SIGNED)
    request.refresh_from_db()
    procurement.record_acceptance(request=request, actor=requester.user, accepted_by=requester, results=[
        procurement.AcceptanceInput(line_id=pl.pk, accepted_quantity=pl.quantity) for pl in request.lines.all()])
    request.refresh_from_db()
    return request


@pytest.fixture
def it_unit():
    return OrgUnitFactory(name="综合管理部", is_it_authority=True)


def test_stock_in_of_three_computers_creates_three_cards(it_unit):
    requester = PersonFactory()
    request = accepted_request(requester, [
        line(item="联想 ThinkPad T14 笔记本电脑", quantity=3, unit_price="8999.00"),
        line(item="WPS 授权", quantity=5, unit_price="300.00", category=LineCategory.SOFTWARE),
        line(item="硒鼓", quantity=4, unit_price="600.00", category=LineCategory.CONSUMABLE),
        line(item="惠普 M404dn 打印机", quantity=1, unit_price="2299.00", category=LineCategory.OFFICE_DEVICE),
    ])
    stock_in = procurement.create_stock_in(request=request, actor=requester.user, received_by=requester,
                                           location="信息中心库房")
    assets = list(Asset.objects.filter(stock_in_line__stock_in=stock_in).order_by("number"))
    assert len(assets) == 4  # 3 computers + 1 printer; software and consumables make no card
    laptops = [a for a in assets if a.category.code == "computer-laptop"]
    assert len(laptops) == 3
    assert len({a.number for a in assets}) == 4
    for asset in laptops:
        assert asset.purchase_price == Decimal("8999.00")
        assert asset.purchase_date == SIGNED
        assert asset.supplier == Supplier.objects.get(name="联想（北京）有限公司")
        assert asset.department == it_unit
        assert asset.status == AssetStatus.IN_STOCK and asset.custodian is None
        assert asset.fixed_asset_number and asset.capitalised_on  # 转固
    assert {a.category.code for a in assets} == {"computer-laptop", "printer"}


def test_a_failing_card_rolls_the_stock_in_back(it_unit):
    requester = PersonFactory()
    request = accepted_request(requester, [line(quantity=3)])

    def explode(sender, stock_in, **kwargs):
        raise RuntimeError("ledger unavailable")

    stock_in_created.connect(explode, dispatch_uid="test-explode")
    try:
        with pytest.raises(RuntimeError):
            procurement.create_stock_in(request=request, actor=requester.user, received_by=requester,
                                        location="库房")
    finally:
        stock_in_created.disconnect(dispatch_uid="test-explode")
    assert not StockIn.objects.exists()
    assert not Asset.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


def test_without_it_authority_the_purchasing_department_holds_the_stock():
    requester = PersonFactory()
    request = accepted_request(requester, [line(quantity=1, category=LineCategory.DIGITAL_DEVICE, item="佳能 EOS R6")])
    procurement.create_stock_in(request=request, actor=requester.user, received_by=requester, location="库房")
    asset = Asset.objects.get()
    assert asset.department == request.department and asset.category.code == "camera"
