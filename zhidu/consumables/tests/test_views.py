"""Pages of consumables: every page renders, the keeper-only issue, live quota hint, reports,
plan print; pinned query counts of the list pages."""

import datetime

import pytest
from django.urls import reverse

from zhidu.consumables import services
from zhidu.consumables.choices import PeriodKind
from zhidu.consumables.models import Movement, Quota

from .factories import ItemFactory, PrinterModelFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def stocked(world):
    services.receive(item=world["item"], location=world["warehouse"], quantity=10, actor=world["keeper"])
    services.issue(item=world["item"], location=world["warehouse"], quantity=2, department=world["sales"],
                   person=world["employee"].person, actor=world["keeper"])
    return world


PAGES = ["item_list", "item_create", "stock_list", "low_stock", "movement_list", "recycle_list", "issue", "receipt",
         "return", "adjust", "transfer", "quota_list", "quota_create", "need_create", "usage", "review", "plan_list",
         "plan_create"]


@pytest.mark.parametrize("name", PAGES)
def test_keeper_sees_every_page(client, stocked, name):
    response = login(client, stocked["keeper"]).get(reverse(f"consumables:{name}"))
    assert response.status_code == 200, response.content[:500]


def test_detail_pages(client, stocked):
    login(client, stocked["keeper"])
    movement = Movement.objects.filter(kind="issue").get()
    assert client.get(movement.get_absolute_url()).status_code == 200
    assert client.get(stocked["item"].get_absolute_url()).status_code == 200
    plan = services.draft_plan(actor=stocked["keeper"], variant="B", period_start=datetime.date(2026, 4, 1))
    assert client.get(plan.get_absolute_url()).status_code == 200
    printed = client.get(reverse("consumables:plan_print", args=[plan.pk]))
    assert printed.status_code == 200
    assert "耗材采购季度计划" in printed.content.decode() or "quarterly plan" in printed.content.decode().lower()


def test_issue_form_is_for_the_keeper_only(client, stocked):
    for who in ("staff", "head", "employee"):
        client.logout()
        login(client, stocked[who])
        assert client.get(reverse("consumables:issue")).status_code == 403
        response = client.post(reverse("consumables:issue"), {
            "item": stocked["item"].pk, "location": stocked["warehouse"].pk, "quantity": 1,
            "department": stocked["sales"].pk, "person": stocked["employee"].person.pk})
        assert response.status_code == 403
    assert Movement.objects.filter(kind="issue").count() == 1


def test_issue_form_posts_and_flags_over_quota(client, stocked):
    services.set_quota(department=stocked["sales"], item=stocked["item"], period_kind=PeriodKind.MONTH,
                       period_start=datetime.date.today(), quantity=3, actor=stocked["keeper"])
    login(client, stocked["keeper"])
    response = client.post(reverse("consumables:issue"), {
        "item": stocked["item"].pk, "location": stocked["warehouse"].pk, "quantity": 2,
        "department": stocked["sales"].pk, "person": stocked["employee"].person.pk, "note": ""})
    assert response.status_code == 302
    movement = Movement.objects.filter(kind="issue").order_by("-pk").first()
    assert movement.over_quota
    # not enough stock: the form comes back with the reason in place
    response = client.post(reverse("consumables:issue"), {
        "item": stocked["item"].pk, "location": stocked["warehouse"].pk, "quantity": 99,
        "department": stocked["sales"].pk, "person": stocked["employee"].person.pk})
    assert response.status_code == 200
    assert "99" in response.content.decode()


def test_quota_hint_shows_used_and_remaining(client, stocked):
    services.set_quota(department=stocked["sales"], item=stocked["item"], period_kind=PeriodKind.MONTH,
                       period_start=datetime.date.today(), quantity=5, actor=stocked["keeper"])
    login(client, stocked["keeper"])
    url = reverse("consumables:quota_hint")
    response = client.get(url, {"item": stocked["item"].pk, "department": stocked["sales"].pk, "quantity": 4},
                          HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-quota-row" in body and "data-would-exceed" in body
    response = client.get(url, {"item": stocked["item"].pk, "department": stocked["sales"].pk, "quantity": 1})
    assert "data-would-exceed" not in response.content.decode()


def test_review_has_chart_data(client, stocked):
    Quota.objects.create(department=stocked["sales"], item=stocked["item"], period_kind="quarter",
                         period_start=datetime.date.today().replace(day=1, month=3 * ((datetime.date.today().month - 1) // 3) + 1),
                         quantity=1)
    login(client, stocked["keeper"])
    body = client.get(reverse("consumables:review")).content.decode()
    assert 'id="consumables-review-data"' in body and "consumables/review.js" in body and "data-over" in body


def test_item_form_saves_fitting_printers(client, stocked):
    printer = PrinterModelFactory()
    login(client, stocked["keeper"])
    response = client.post(reverse("consumables:item_create"), {
        "code": "MH-01", "name": "墨盒 HP 803", "category": "ink", "unit": "个", "reorder_level": 3,
        "unit_price": "89.00", "fits": [printer.pk], "is_active": "on"})
    assert response.status_code == 302
    item = printer.consumables.get()
    assert item.name == "墨盒 HP 803"


def test_plan_update_and_submit_from_the_page(client, stocked):
    from zhidu.core.testing import make_user

    make_user(department=stocked["office"], roles=["it_authority_head"])
    plan = services.draft_plan(actor=stocked["keeper"], variant="B", period_start=datetime.date(2026, 4, 1))
    from zhidu.consumables.models import PlanLine

    line = PlanLine.objects.create(plan=plan, item=ItemFactory(), quantity=1, unit_price="10.00")
    login(client, stocked["keeper"])
    response = client.post(reverse("consumables:plan_update", args=[plan.pk]), {f"qty-{line.pk}": "4", "submit": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    line.refresh_from_db()
    assert line.quantity == 4 and plan.status == "submitted"


def test_employee_sees_only_own_issues(client, stocked):
    number = Movement.objects.get(kind="issue").number.encode()
    login(client, stocked["outsider"])
    assert number not in client.get(reverse("consumables:movement_list")).content
    client.logout()
    login(client, stocked["employee"])
    assert Movement.objects.get(kind="issue").number.encode() in client.get(reverse("consumables:movement_list")).content
    assert client.get(reverse("consumables:stock_list")).status_code == 403


@pytest.mark.parametrize("name", ["item_list", "movement_list", "stock_list", "quota_list", "plan_list"])
def test_list_queries_do_not_grow(client, stocked, name, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n):
        item = ItemFactory()
        services.receive(item=item, location=stocked["warehouse"], quantity=3, actor=stocked["keeper"])
        services.issue(item=item, location=stocked["warehouse"], quantity=1, department=stocked["sales"],
                       person=stocked["employee"].person, actor=stocked["keeper"])
        services.set_quota(department=stocked["sales"], item=item, period_kind="month",
                           period_start=datetime.date.today(), quantity=n + 1, actor=stocked["keeper"])
        services.draft_plan(actor=stocked["keeper"], variant="A", period_start=datetime.date(2020 + n, 1, 1))

    login(client, stocked["keeper"])
    url = reverse(f"consumables:{name}")
    grow(0)
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(1, 5):
        grow(n)
    with django_assert_max_num_queries(len(first)):
        client.get(url)
    assert len(first) == PINNED[name], len(first)


#: Pinned query counts of the list pages (session, user, grants, count, page, filter choices …).
PINNED = {"item_list": 12, "movement_list": 14, "stock_list": 13, "quota_list": 12, "plan_list": 11}
