"""The procurement demo data: every state, made through the services and the approval engine."""

from collections import Counter

import pytest

from zhidu.core.testing import make_unit, make_user
from zhidu.procurement import demo
from zhidu.procurement.models import PurchaseRequest, SelfPurchaseFiling

pytestmark = pytest.mark.django_db


def small_org():
    root = make_unit("演示公司")
    it = make_unit("综合管理部", parent=root, is_it_authority=True)
    sales = make_unit("销售部", parent=root)
    finance = make_unit("财务部", parent=root)
    for name, unit, role in [("王主管", it, "it_leader"), ("李总监", finance, "cfo"), ("赵主任", it, "it_authority_head"),
                             ("孙总", root, "general_manager"), ("刘工", it, "it_staff"), ("周会计", finance, "finance")]:
        make_user(name=name, department=unit, roles=[role])
    for i in range(3):
        make_user(name=f"员工{i}", department=sales if i % 2 == 0 else finance)


def test_demo_covers_every_state_and_is_idempotent():
    small_org()
    result = demo.load({})
    assert result["skipped"] == []
    states = Counter(PurchaseRequest.objects.values_list("status", flat=True))
    for status in ("draft", "submitted", "returned", "rejected", "approved", "quoting", "ordered",
                   "partially_accepted", "accepted", "stocked_in", "reimbursed", "closed", "reallocated",
                   "withdrawn"):
        assert states[status] > 0, status
    assert sum(states.values()) == len(demo.PLAN)
    boundary = PurchaseRequest.objects.get(title__startswith="设计工作站（5 万元整）")
    assert str(boundary.total_amount) == "50000.00"
    assert SelfPurchaseFiling.objects.filter(status="unfiled").count() == 3
    assert demo.load({})["requests"] == 0
