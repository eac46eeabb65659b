"""API of consumables: actions with 400/403/404/409, plan lifecycle, verification, pinned queries."""

import datetime

import pytest

from zhidu.consumables import services
from zhidu.consumables.models import Movement, Quota

from .factories import ItemFactory

pytestmark = pytest.mark.django_db


def api(client, user):
    client.force_login(user)
    return client


def payload(world, **extra):
    data = {"item": world["item"].pk, "location": world["warehouse"].pk, "quantity": 2,
            "department": world["sales"].pk, "person": world["employee"].person.pk}
    data.update(extra)
    return data


def test_receipt_issue_and_stock(client, world):
    api(client, world["keeper"])
    r = client.post("/api/consumables/movements/receipt/", payload(world, quantity=5), content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post("/api/consumables/movements/issue/", payload(world), content_type="application/json")
    assert r.status_code == 201 and r.json()["quantity"] == -2
    stock = client.get("/api/consumables/stock/").json()
    rows = stock["results"] if isinstance(stock, dict) else stock
    assert rows[0]["quantity"] == 3
    assert client.get("/api/consumables/stock/verify/").json() == {"ok": True, "mismatches": []}
    r = client.post("/api/consumables/movements/recycle/", payload(world, quantity=1, condition="broken"),
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["kind"] == "recycle"
    other = client.post("/api/consumables/movements/transfer/", payload(world, quantity=1, target=world["warehouse"].pk),
                        content_type="application/json")
    assert other.status_code == 400  # same location


def test_issue_errors(client, world):
    services.receive(item=world["item"], location=world["warehouse"], quantity=1, actor=world["keeper"])
    api(client, world["staff"])
    r = client.post("/api/consumables/movements/issue/", payload(world), content_type="application/json")
    assert r.status_code == 403 and "篇14 第十九条" in r.json()["detail"]
    api(client, world["keeper"])
    r = client.post("/api/consumables/movements/issue/", payload(world, quantity=5), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    r = client.post("/api/consumables/movements/issue/", payload(world, quantity=0), content_type="application/json")
    assert r.status_code == 400
    r = client.post("/api/consumables/movements/issue/", payload(world, location=999999),
                    content_type="application/json")
    assert r.status_code == 400
    assert client.get("/api/consumables/movements/999999/").status_code == 404


def test_employee_cannot_receive_and_sees_own_issue_only(client, world):
    services.receive(item=world["item"], location=world["warehouse"], quantity=5, actor=world["keeper"])
    mine = services.issue(item=world["item"], location=world["warehouse"], quantity=1, department=world["sales"],
                          person=world["employee"].person, actor=world["keeper"])
    api(client, world["employee"])
    r = client.post("/api/consumables/movements/receipt/", payload(world), content_type="application/json")
    assert r.status_code == 403
    assert client.get(f"/api/consumables/movements/{mine.pk}/").status_code == 200
    api(client, world["outsider"])
    assert client.get(f"/api/consumables/movements/{mine.pk}/").status_code == 404


def test_quota_crud_and_review(client, world):
    api(client, world["keeper"])
    r = client.post("/api/consumables/quotas/", {"department": world["sales"].pk, "item": world["item"].pk,
                                                  "period_kind": "month", "period_start": "2026-04-15",
                                                  "quantity": 3}, content_type="application/json")
    assert r.status_code == 201, r.content
    quota = Quota.objects.get()
    assert quota.period_start == datetime.date(2026, 4, 1)
    r = client.post("/api/consumables/quotas/", {"department": world["sales"].pk, "item": world["item"].pk,
                                                  "category": "drum", "period_kind": "month",
                                                  "period_start": "2026-04-01", "quantity": 3},
                    content_type="application/json")
    assert r.status_code == 400
    review = client.get("/api/consumables/quotas/review/?period_kind=month&period=2026-04-03").json()
    assert review["rows"][0]["quota_quantity"] == 3
    api(client, world["head"])
    r = client.patch(f"/api/consumables/quotas/{quota.pk}/", {"quantity": 9}, content_type="application/json")
    assert r.status_code == 403


def test_plan_lifecycle_through_the_api(client, world):
    from zhidu.core.testing import make_user

    make_user(department=world["office"], roles=["it_authority_head"])
    make_user(department=world["company"], roles=["it_leader"])
    services.receive(item=world["item"], location=world["warehouse"], quantity=1, actor=world["keeper"])
    api(client, world["keeper"])
    r = client.post("/api/consumables/plans/", {"variant": "B", "period_start": "2026-04-01"},
                    content_type="application/json")
    assert r.status_code == 201
    plan = r.json()
    r = client.post(f"/api/consumables/plans/{plan['id']}/submit/")
    assert r.status_code == 400  # nothing to buy
    from zhidu.consumables.models import PlanLine

    line = PlanLine.objects.create(plan_id=plan["id"], item=ItemFactory(), quantity=0, unit_price="12.00")
    r = client.patch(f"/api/consumables/plans/{plan['id']}/", {"quantities": {str(line.pk): 5}},
                     content_type="application/json")
    assert r.status_code == 200
    assert client.post(f"/api/consumables/plans/{plan['id']}/submit/").json()["status"] == "submitted"
    assert client.post(f"/api/consumables/plans/{plan['id']}/submit/").status_code == 409
    r = client.patch(f"/api/consumables/plans/{plan['id']}/", {"quantities": {}}, content_type="application/json")
    assert r.status_code == 409


def test_items_crud(client, world):
    api(client, world["keeper"])
    r = client.post("/api/consumables/items/", {"code": "GP-01", "name": "光盘 DVD-R", "category": "disc", "unit": "张",
                                                 "reorder_level": 20}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post("/api/consumables/items/", {"code": "GP-01", "name": "光盘 2", "category": "disc"},
                    content_type="application/json")
    assert r.status_code == 400
    services.receive(item=world["item"], location=world["warehouse"], quantity=1, actor=world["keeper"])
    assert client.delete(f"/api/consumables/items/{world['item'].pk}/").status_code == 409
    api(client, world["employee"])
    assert client.post("/api/consumables/items/", {"code": "X", "name": "X", "category": "disc"},
                       content_type="application/json").status_code == 403


#: Pinned query counts of the API lists (they do not grow with the rows).
API_PINNED = {"/api/consumables/movements/": 9, "/api/consumables/items/": 10, "/api/consumables/quotas/": 8,
              "/api/consumables/plans/": 9, "/api/consumables/stock/": 8}


@pytest.mark.parametrize("url", list(API_PINNED))
def test_api_list_queries_pinned(client, world, url, django_assert_num_queries):
    def grow(n):
        item = ItemFactory()
        services.receive(item=item, location=world["warehouse"], quantity=3, actor=world["keeper"])
        services.issue(item=item, location=world["warehouse"], quantity=1, department=world["sales"],
                       person=world["employee"].person, actor=world["keeper"])
        services.set_quota(department=world["sales"], item=item, period_kind="month",
                           period_start=datetime.date(2026, 1, 1), quantity=2, actor=world["keeper"])
        services.draft_plan(actor=world["keeper"], variant="A", period_start=datetime.date(2020 + n, 1, 1))

    api(client, world["keeper"])
    grow(0)
    client.get(url)
    for n in range(1, 4):
        grow(n)
    with django_assert_num_queries(API_PINNED[url]):
        assert client.get(url).status_code == 200
    assert Movement.objects.count() >= 8
