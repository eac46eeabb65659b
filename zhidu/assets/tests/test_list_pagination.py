"""Pagination of the ledger list page and API at scale (issue #3 "Performance", AST-02).

Deep pages are fetched pk first (zhidu.core.paginator): the page's pks by a narrow query, then
their rows. These tests lower the depth from which that happens (ZHIDU_PK_FIRST_MIN_OFFSET) so
that a few dozen rows exercise both paths, and check that every row appears exactly once in
the list's order (pk as the tiebreak among equal sort values), that filters, scope and the
page beyond the end behave as before, that query counts are pinned, and that the faster table
and filter-form rendering writes exactly the markup django-tables2 and Django wrote.
"""

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.assets.choices import AssetStatus
from zhidu.assets.filtersets import AssetFilterSet
from zhidu.assets.models import Asset, AssetCategory, Location
from zhidu.assets.tables import AssetTable
from zhidu.core.forms import render_widget
from zhidu.core.paginator import PkFirstPaginator, stable_order
from zhidu.core.testing import count_queries, make_unit, make_user, perms_for

from .factories import (
    AssetCategoryFactory,
    AssetModelFactory,
    LocationFactory,
    PersonFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

ROWS = 60  # three HTML pages of 25 (25, 25, 10)
LIST = reverse("assets:asset_list")
API = reverse("assets-asset-list")


@pytest.fixture
def deep_from_second_page(settings):
    """Pages after the first are "deep": fetched pk first."""
    settings.ZHIDU_PK_FIRST_MIN_OFFSET = 25


@pytest.fixture
def ledger(db):
    """ROWS assets in two departments; names repeat (ties), every third one in use."""
    unit, other = make_unit("信息中心"), make_unit("生产技术部")
    category, second = AssetCategoryFactory(name="台式计算机"), AssetCategoryFactory(name="打印机")
    holder = PersonFactory(department=unit)
    location, supplier = LocationFactory(), SupplierFactory()
    model = AssetModelFactory(category=category)
    Asset.objects.bulk_create([
        Asset(number=f"ZC-P-{i:04d}", name=f"设备{i % 4}", category=category if i % 2 else second,
              model=model, department=unit if i % 5 else other, location=location, supplier=supplier,
              status=AssetStatus.IN_USE if i % 3 == 0 else AssetStatus.IN_STOCK,
              custodian=holder if i % 3 == 0 else None)
        for i in range(ROWS)
    ])
    return {"unit": unit, "other": other, "category": category}


def it_client(client):
    client.force_login(make_user(perms=[*perms_for(Asset), *perms_for(AssetCategory), *perms_for(Location)],
                                 scope=None))
    return client


def html_pks(response) -> list[int]:
    assert response.status_code == 200
    return [row.record.pk for row in response.context["table"].page.object_list]


def walk_html(client, query: str, pages: int) -> list[int]:
    pks = []
    for page in range(1, pages + 1):
        pks += html_pks(client.get(f"{LIST}?{query}&page={page}"))
    return pks


def test_every_row_once_in_list_order_across_pages(client, ledger, deep_from_second_page):
    client = it_client(client)
    assert walk_html(client, "", 3) == list(Asset.objects.order_by("-pk").values_list("pk", flat=True))
    # ties on the name: the pk decides, the same on every page
    assert walk_html(client, "sort=name", 3) == list(Asset.objects.order_by("name", "pk").values_list("pk", flat=True))
    assert walk_html(client, "sort=-name", 3) == list(
        Asset.objects.order_by("-name", "pk").values_list("pk", flat=True))
    # a related column as the sort key, with a pk tiebreak too
    assert walk_html(client, "sort=category", 3) == list(
        Asset.objects.order_by("category__name", "pk").values_list("pk", flat=True))


def test_first_middle_last_and_beyond_the_end(client, ledger, deep_from_second_page):
    client = it_client(client)
    ordered = list(Asset.objects.order_by("-pk").values_list("pk", flat=True))
    assert html_pks(client.get(LIST)) == ordered[:25]
    assert html_pks(client.get(f"{LIST}?page=2")) == ordered[25:50]
    last = client.get(f"{LIST}?page=3")
    assert html_pks(last) == ordered[50:]
    assert last.context["total"] == ROWS
    assert html_pks(client.get(f"{LIST}?page=99")) == ordered[50:]  # beyond the end: the last page
    assert html_pks(client.get(f"{LIST}?page=x")) == ordered[:25]  # not a number: the first
    assert html_pks(client.get(f"{LIST}?page=2&per_page=50")) == ordered[50:]


def test_filters_with_deep_pages(client, ledger, settings):
    settings.ZHIDU_PK_FIRST_MIN_OFFSET = 0  # every page pk first, the first one too
    client = it_client(client)
    filters = f"status={AssetStatus.IN_STOCK}&category={ledger['category'].pk}"
    expected = list(Asset.objects.filter(status=AssetStatus.IN_STOCK, category=ledger["category"])
                    .order_by("name", "pk").values_list("pk", flat=True))
    assert len(expected) == 20
    assert html_pks(client.get(f"{LIST}?{filters}&sort=name")) == expected
    # the API's page size is free: pages of 7 rows
    api = APIClient()
    api.force_login(make_user(perms=perms_for(Asset), scope=None))
    seen = []
    for page in (1, 2, 3):
        seen += [row["id"] for row in api.get(f"{API}?{filters}&ordering=name&page_size=7&page={page}").json()["results"]]
    assert seen == expected
    assert api.get(f"{API}?{filters}&ordering=name&page_size=7&page=4").status_code == 404


def test_department_head_sees_only_the_scope_on_every_page(client, ledger, deep_from_second_page):
    head = make_user(perms=perms_for(Asset), scope=ledger["other"])
    client.force_login(head)
    expected = list(Asset.objects.filter(department=ledger["other"]).order_by("-pk").values_list("pk", flat=True))
    assert len(expected) == ROWS // 5
    assert html_pks(client.get(f"{LIST}?per_page=25")) == expected
    api = APIClient()
    api.force_login(head)
    first = api.get(f"{API}?page_size=5").json()
    second = api.get(f"{API}?page_size=5&page=2").json()
    assert [r["id"] for r in first["results"] + second["results"]] == expected[:10]
    assert second["count"] == len(expected)


def test_api_response_format_and_page_beyond_the_end(ledger, deep_from_second_page, settings):
    settings.ZHIDU_PK_FIRST_MIN_OFFSET = 20
    api = APIClient()
    api.force_login(make_user(perms=perms_for(Asset), scope=None))
    ordered = list(Asset.objects.order_by("-pk").values_list("pk", flat=True))
    pages = [api.get(f"{API}?page_size=20&page={n}").json() for n in (1, 2, 3)]
    assert [set(p) for p in pages] == [{"count", "next", "previous", "results"}] * 3
    assert [r["id"] for p in pages for r in p["results"]] == ordered
    assert pages[0]["previous"] is None and pages[2]["next"] is None
    assert "page=3" in pages[1]["next"] and pages[2]["count"] == ROWS
    assert api.get(f"{API}?page_size=20&page=4").status_code == 404
    # ties in ?ordering=name: every row once
    by_name = [r["id"] for n in (1, 2, 3) for r in api.get(f"{API}?page_size=20&ordering=name&page={n}").json()["results"]]
    assert by_name == list(Asset.objects.order_by("name", "pk").values_list("pk", flat=True))


def test_query_counts_pinned_first_and_deep(client, ledger, deep_from_second_page):
    """A deep page costs one query more than the first (its pks, then its rows), never more with more rows."""
    client = it_client(client)
    first, _ = count_queries(client, LIST)
    deep, _ = count_queries(client, f"{LIST}?page=3")
    # an org-wide user: TestAssetViews.list_query_count (17, a scoped user) less the person-id lookup of
    # the scope (an org-wide grant needs none)
    assert (first, deep) == (16, 17)
    Asset.objects.bulk_create([Asset(number=f"ZC-Q-{i:04d}", name="更多", category=ledger["category"],
                                     department=ledger["unit"]) for i in range(30)])
    assert count_queries(client, f"{LIST}?page=4")[0] == deep
    api = APIClient()
    api.force_login(make_user(perms=perms_for(Asset), scope=None))
    first_api = count_queries(api, API)[0]
    assert count_queries(api, f"{API}?page=2")[0] == first_api + 1  # offset 50 ≥ 25: pks, then rows
    assert count_queries(api, f"{API}?page=3&page_size=20")[0] == first_api + 1


def test_paginator_falls_back_for_plain_sequences(settings):
    settings.ZHIDU_PK_FIRST_MIN_OFFSET = 0
    page = PkFirstPaginator(list(range(30)), 10).page(3)
    assert list(page) == list(range(20, 30))


OLD_ROWS = engines["django"].from_string(
    "{% load l10n %}{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}"
    "<td {{ column.attrs.td.as_html }}>{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}"
    "{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>{% endfor %}</tr>{% endfor %}")
NEW_ROWS = engines["django"].from_string(
    "{% for row_attrs, cells in table.body_rows %}<tr {{ row_attrs }}>{% for td_attrs, cell in cells %}"
    "<td {{ td_attrs }}>{{ cell }}</td>{% endfor %}</tr>{% endfor %}")


def test_table_rows_render_as_django_tables2_did(ledger):
    """ZhiduTable.body_rows writes the markup of django-tables2's row loop (every column shown)."""
    columns = AssetTable.column_names()
    tables = [AssetTable(Asset.objects.select_related("category", "model", "department", "custodian", "location",
                                                     "supplier").order_by("-pk"), columns=columns) for _ in range(2)]
    for table in tables:
        table.paginate(per_page=25, page=1)
    old, new = OLD_ROWS.render({"table": tables[0]}), NEW_ROWS.render({"table": tables[1]})
    assert new == old
    assert new.count("<tr ") == 25 and 'class="money"' in new and "badge bg-" in new


def test_filter_form_selects_render_as_django_did(ledger):
    """zhidu.core.renderers writes the <select> markup of Django's templates, byte for byte."""
    request = RequestFactory().get(f"/assets/?category={ledger['category'].pk}&status=in_use&status=lost")
    request.user = make_user(perms=perms_for(Asset), scope=None)
    form = AssetFilterSet(request.GET, queryset=Asset.objects.all(), request=request).form
    assert type(form.renderer).__name__ == "FastSelectRenderer"
    fast = {bf.name: render_widget(bf) for bf in form}
    form.renderer = DjangoTemplates()
    slow = {bf.name: render_widget(bf) for bf in form}
    assert fast == slow
    assert re.search(rf'<option value="{ledger["category"].pk}" selected>台式计算机</option>', fast["category"])


def test_stable_order_adds_the_pk_only_where_ties_are_possible():
    assert stable_order(Asset.objects.order_by("name")).query.order_by == ("name", "pk")
    assert stable_order(Asset.objects.order_by("category__name")).query.order_by == ("category__name", "pk")
    assert stable_order(Asset.objects.order_by("-number")).query.order_by == ("-number",)  # unique, not null
    assert stable_order(Asset.objects.order_by("-id")).query.order_by == ("-id",)
    default = Asset.objects.all()
    assert stable_order(default) is default  # Meta.ordering ("-id") is already total
