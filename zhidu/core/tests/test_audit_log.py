"""The global change log for auditors: /audit/log/ and /api/audit/log/ (DESIGN "Change log")."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from zhidu.core import context
from zhidu.core.models import ChangeLogEntry
from zhidu.org.models import OrgUnit
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import OrgUnitFactory

from .auth_support import user_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    seed_roles()
    unit = OrgUnitFactory(name="审计部", code="AUD")
    return {
        "auditor": user_with_roles("auditor1", "auditor", unit=unit),
        "head": user_with_roles("head1", ("dept_head", unit), unit=unit),
        "scoped_auditor": user_with_roles("auditor2", ("auditor", unit), unit=unit),
        "root": get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!"),
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_changes(actor, n=3, source=context.Source.WEB, prefix="NET"):
    with context.using(user=actor, source=source, request_id="r" * 32):
        units = [OrgUnit.objects.create(name=f"网络科{prefix}{i}", code=f"{prefix}{i}") for i in range(n)]
    return units


# -- who may see it ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["auditor", "root"])
def test_superusers_and_org_wide_auditors_see_the_log(people, who):
    make_changes(people["root"])
    response = as_user(people[who]).get("/audit/log/")
    assert response.status_code == 200
    assert "网络科NET0" in response.content.decode()
    assert as_user(people[who]).get("/api/audit/log/").status_code == 200


@pytest.mark.parametrize("who", ["head", "scoped_auditor"])
def test_department_heads_and_unit_scoped_holders_get_403(people, who):
    entry = make_changes(people["root"], n=1) and ChangeLogEntry.objects.latest("id")
    client = as_user(people[who])
    assert client.get("/audit/log/").status_code == 403
    assert client.get(f"/audit/log/{entry.pk}/").status_code == 403
    assert client.get("/api/audit/log/").status_code == 403
    assert client.get(f"/api/audit/log/{entry.pk}/").status_code == 403


def test_anonymous_is_sent_to_login_or_gets_401():
    client = Client()
    response = client.get("/audit/log/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/audit/log/").status_code == 401


def test_auditor_token_reads_the_api_and_cannot_write(people):
    make_changes(people["root"], n=2)
    token = Token.objects.create(user=people["auditor"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    data = client.get("/api/audit/log/").json()
    assert data["count"] >= 2
    row = data["results"][0]
    assert {"time", "actor_name", "source", "request_id", "action", "object_type", "before", "after", "hash"} <= set(row)
    assert client.post("/api/audit/log/", {}).status_code == 405
    assert client.delete(f"/api/audit/log/{row['id']}/").status_code == 405


def test_menu_shows_the_log_to_auditors_only(people):
    assert "/audit/log/" in as_user(people["auditor"]).get("/accounts/").content.decode()
    assert "/audit/log/" not in as_user(people["head"]).get("/accounts/").content.decode()


# -- filters -----------------------------------------------------------------------------------
@pytest.fixture
def log(people):
    root, auditor = people["root"], people["auditor"]
    ChangeLogEntry.objects.all().delete()  # only the entries below (the chain is not checked here)
    with context.using(user=root, source=context.Source.WEB, request_id="a" * 32):
        unit = OrgUnit.objects.create(name="综合管理部", code="ZH")
    with context.using(user=auditor, source=context.Source.API, request_id="b" * 32):
        unit.name = "综合管理部（信息中心）"
        unit.save()
    with context.using(source=context.Source.JOB, request_id="c" * 32):
        OrgUnit.objects.create(name="财务部", code="CW")
    old = ChangeLogEntry.objects.get(object_repr="财务部", action="create")
    ChangeLogEntry.objects.filter(pk=old.pk).update(time=timezone.now() - datetime.timedelta(days=40))
    return unit


def ids(client, query) -> set[int]:
    data = client.get("/api/audit/log/", query).json()
    return {row["id"] for row in data["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "update"}, {"综合管理部（信息中心）"}),
        ({"source": "job"}, {"财务部"}),
        ({"request_id": "b" * 32}, {"综合管理部（信息中心）"}),
        ({"actor": "auditor1"}, {"综合管理部（信息中心）"}),
        ({"q": "财务"}, {"财务部"}),
        ({"object_type": "org.orgunit", "action": "create"}, {"综合管理部", "财务部"}),
    ],
)
def test_api_filters(people, log, query, expected):
    client = as_user(people["auditor"])
    rows = client.get("/api/audit/log/", query).json()["results"]
    assert {row["object_repr"] for row in rows} == expected


def test_time_range_filter(people, log):
    client = as_user(people["auditor"])
    today = timezone.localdate()
    recent = client.get("/api/audit/log/", {"time_after": (today - datetime.timedelta(days=7)).isoformat()}).json()
    assert "财务部" not in {r["object_repr"] for r in recent["results"]}
    old = client.get("/api/audit/log/", {"time_before": (today - datetime.timedelta(days=30)).isoformat()}).json()
    assert {r["object_repr"] for r in old["results"]} == {"财务部"}


def test_page_filters_keep_their_values_and_filter(people, log):
    client = as_user(people["auditor"])
    response = client.get("/audit/log/", {"source": "job", "q": "财务"})
    html = response.content.decode()
    assert response.status_code == 200
    table = html.split("<table", 1)[1]
    assert "财务部" in table and "综合管理部" not in table
    assert table.count("data-entry=") == 1
    assert 'value="财务"' in html  # the filter keeps its value


def test_export_streams_the_filtered_log(people, log):
    client = as_user(people["auditor"])
    response = client.get("/audit/log/", {"source": "web", "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "综合管理部" in body and "财务部" not in body
    assert "Token" not in body


def test_list_sorts_by_a_column(people, log):
    client = as_user(people["auditor"])
    html = client.get("/audit/log/", {"sort": "id"}).content.decode()
    ids_in_order = [int(x) for x in __import__("re").findall(r'data-entry="(\d+)"', html)]
    assert ids_in_order == sorted(ids_in_order)


def test_object_type_filter_offers_chinese_model_names(people):
    html = as_user(people["auditor"]).get("/audit/log/").content.decode()
    assert 'value="org.orgunit"' in html


def test_list_page_and_api_have_a_fixed_number_of_queries(people, django_assert_num_queries):
    client = as_user(people["auditor"])
    make_changes(people["root"], n=2)
    client.get("/audit/log/")  # warm caches (content types, session)
    client.get("/api/audit/log/")

    def count(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    small_page, small_api = count("/audit/log/"), count("/api/audit/log/")
    make_changes(people["root"], n=20, source=context.Source.IMPORT, prefix="IMP")
    with django_assert_num_queries(small_page):
        client.get("/audit/log/")
    with django_assert_num_queries(small_api):
        client.get("/api/audit/log/")


def test_list_is_paginated(people):
    make_changes(people["root"], n=30)  # 30 creates
    client = as_user(people["auditor"])
    first = client.get("/audit/log/").content.decode()
    assert "page=2" in first
    second = client.get("/audit/log/?page=2")
    assert second.status_code == 200


# -- entry page --------------------------------------------------------------------------------
def test_entry_page_shows_before_and_after_side_by_side(people, log):
    entry = ChangeLogEntry.objects.get(action="update", object_id=str(log.pk))
    response = as_user(people["auditor"]).get(f"/audit/log/{entry.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('data-field="name"', 1)[1].split("</tr>", 1)[0]
    assert "综合管理部" in row and "综合管理部（信息中心）" in row
    assert row.index("综合管理部<") < row.index("综合管理部（信息中心）")  # before, then after
    assert 'data-hash="ok"' in html
    assert "auditor1" in html
    assert "名称" in html or "name" in html  # the field's label
    assert f"object_id={log.pk}" in html  # link to this object's history


def test_entry_page_flags_an_altered_entry(people, log):
    entry = ChangeLogEntry.objects.get(action="update", object_id=str(log.pk))
    ChangeLogEntry.objects.filter(pk=entry.pk).update(actor_name="somebody-else")
    html = as_user(people["auditor"]).get(f"/audit/log/{entry.pk}/").content.decode()
    assert 'data-hash="bad"' in html


def test_entry_page_for_an_event_and_a_delete(people):
    root = people["root"]
    with context.using(user=root):
        unit = OrgUnit.objects.create(name="临时组", code="TMP")
        unit.delete()
    deleted = ChangeLogEntry.objects.get(action="delete", object_repr="临时组")
    html = as_user(people["auditor"]).get(f"/audit/log/{deleted.pk}/").content.decode()
    assert "临时组" in html and "TMP" in html
    Client().force_login(root)
    client = as_user(root)
    client.post("/accounts/token/")
    event = ChangeLogEntry.objects.filter(action="event").latest("id")
    assert "api_token_created" in client.get(f"/audit/log/{event.pk}/").content.decode()
