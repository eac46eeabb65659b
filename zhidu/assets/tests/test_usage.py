"""效益管理 (SCH-03, AST-24): the usage log of valuable and precision instruments and the
utilisation report per semester — services, pages (scope, export, pinned queries) and the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.assets.models import InstrumentUsage
from zhidu.assets.services import usage as services
from zhidu.core.errors import RuleViolation
from zhidu.core.testing import assert_constant_queries, make_user, read_csv

from .factories import AssetFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

PERMS = ["assets.view_instrumentusage", "assets.add_instrumentusage", "assets.delete_instrumentusage",
         "assets.view_asset", "org.view_person"]
DAY = datetime.date(2026, 3, 10)  # spring semester 2026


@pytest.fixture
def s():
    school = OrgUnitFactory(name="信息中心")
    other = OrgUnitFactory(name="财务部")
    microscope = AssetFactory(number="ZC-2026-000101", name="数码显微镜", department=school,
                              purchase_price=Decimal("36000.00"))
    spectrometer = AssetFactory(number="ZC-2026-000102", name="分光光度计", department=school,
                                purchase_price=Decimal("18000.00"))
    mouse = AssetFactory(number="ZC-2026-000103", name="鼠标", department=school, purchase_price=Decimal("50.00"))
    foreign = AssetFactory(number="ZC-2026-000201", name="财务扫描仪", department=other,
                           purchase_price=Decimal("20000.00"))
    teacher = make_user(perms=PERMS, scope=school, department=school, name="物理教师")
    outsider = make_user(perms=PERMS, scope=other, department=other)
    return {**locals()}


def test_record_usage_rules(s):
    use = services.record_usage(asset=s["microscope"], used_on=DAY, hours=2, purpose="细胞观察实验",
                                class_name="高一(3)班", used_by=s["teacher"].person, actor=s["teacher"])
    assert use.hours == Decimal("2.0") and use.recorded_by == s["teacher"]
    for bad in [{"hours": 0}, {"hours": 25}, {"purpose": " "}, {"used_on": datetime.date(2999, 1, 1)}]:
        kwargs = {"asset": s["microscope"], "used_on": DAY, "hours": 1, "purpose": "实验", "actor": s["teacher"],
                  **bad}
        with pytest.raises(RuleViolation):
            services.record_usage(**kwargs)
    services.record_usage(asset=s["microscope"], used_on=DAY, hours=20, purpose="连续观测", actor=s["teacher"])
    with pytest.raises(RuleViolation, match="24"):  # 2 + 20 + 3 > 24 on one day
        services.record_usage(asset=s["microscope"], used_on=DAY, hours=3, purpose="实验", actor=s["teacher"])


def test_semesters():
    assert services.semester_of(datetime.date(2026, 3, 1)) == "2026S"
    assert services.semester_of(datetime.date(2026, 9, 1)) == "2026A"
    assert services.semester_of(datetime.date(2027, 1, 15)) == "2026A"
    assert services.semester_bounds("2026A") == (datetime.date(2026, 8, 1), datetime.date(2027, 1, 31))
    with pytest.raises(RuleViolation):
        services.semester_bounds("2026X")
    keys = [k for k, _label in services.semester_choices(datetime.date(2026, 3, 1), count=3)]
    assert keys == ["2026S", "2025A", "2025S"]


def test_utilisation_sums_the_semester_and_shows_idle_valuable_instruments(s):
    t = s["teacher"]
    services.record_usage(asset=s["microscope"], used_on=DAY, hours=2, purpose="实验", class_name="高一(3)班", actor=t)
    services.record_usage(asset=s["microscope"], used_on=DAY + datetime.timedelta(days=7), hours="1.5",
                          purpose="实验", class_name="高一(4)班", used_by=t.person, actor=t)
    services.record_usage(asset=s["microscope"], used_on=datetime.date(2025, 10, 1), hours=5, purpose="上学期",
                          actor=t)
    services.record_usage(asset=s["mouse"], used_on=DAY, hours=1, purpose="演示", actor=t)
    start, end = services.semester_bounds("2026S")
    from zhidu.assets.models import Asset

    rows = {a.number: a for a in services.utilisation_queryset(Asset.objects.all(), start=start, end=end)}
    assert set(rows) == {"ZC-2026-000101", "ZC-2026-000102", "ZC-2026-000103", "ZC-2026-000201"}
    m = rows["ZC-2026-000101"]
    assert (m.hours, m.uses, m.days, m.users, m.classes) == (Decimal("3.5"), 2, 2, 1, 2)
    assert rows["ZC-2026-000102"].hours == 0  # valuable and idle: the point of 效益管理
    assert rows["ZC-2026-000103"].hours == 1  # cheap, but used


def test_pages_scope_export_and_queries(s, client):
    client.force_login(s["teacher"])
    assert client.get(reverse("assets:usage_create")).status_code == 200
    response = client.post(reverse("assets:usage_create"), {
        "asset_number": "ZC-2026-000101", "used_on": "2026-03-10", "hours": "2", "purpose": "细胞观察",
        "class_name": "高一(3)班"})
    assert response.status_code == 302, response.content
    response = client.post(reverse("assets:usage_create"), {
        "asset_number": "ZC-2026-000201", "used_on": "2026-03-10", "hours": "2", "purpose": "越权"})
    assert response.status_code == 200 and InstrumentUsage.objects.count() == 1  # not visible: refused
    url = reverse("assets:usage_utilisation")
    rows = read_csv(client.get(url, {"semester": "2026S", "export": "csv"}))
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {"ZC-2026-000101", "ZC-2026-000102"}  # in scope: used + valuable idle; not the mouse
    assert "ZC-2026-000201" not in client.get(url, {"semester": "2026S"}).content.decode()
    use = InstrumentUsage.objects.get()
    client.force_login(s["outsider"])
    assert client.get(reverse("assets:usage_delete", args=[use.pk])).status_code == 404
    assert "ZC-2026-000101" not in client.get(reverse("assets:usage_list")).content.decode()
    client.force_login(make_user(department=s["school"]))
    assert client.get(url).status_code == 403
    client.force_login(s["teacher"])

    def grow():
        for i in range(3):
            services.record_usage(asset=s["spectrometer"], used_on=DAY + datetime.timedelta(days=i), hours=1,
                                  purpose="测定", used_by=s["teacher"].person, actor=s["teacher"])
            AssetFactory(department=s["school"], purchase_price=Decimal("50000"))

    client.get(reverse("assets:usage_list"))
    assert_constant_queries(client, reverse("assets:usage_list"), grow, expected=12)
    assert_constant_queries(client, url + "?semester=2026S", grow, expected=13)


def test_api(s):
    api = APIClient()
    api.force_authenticate(s["teacher"])
    body = {"asset": s["microscope"].pk, "used_on": "2026-03-10", "hours": "2.5", "purpose": "实验"}
    response = api.post("/api/assets/instrument-usage/", body, format="json")
    assert response.status_code == 201, response.content
    assert api.post("/api/assets/instrument-usage/", {**body, "hours": "30"}, format="json").status_code == 400
    response = api.post("/api/assets/instrument-usage/", {**body, "asset": s["foreign"].pk}, format="json")
    assert response.status_code == 400 and response.json()["detail"]
    rows = api.get("/api/assets/instrument-usage/utilisation/", {"semester": "2026S"}).json()["results"]
    assert {r["number"]: r["hours"] for r in rows} == {"ZC-2026-000101": "2.5", "ZC-2026-000102": "0.0"}
    assert api.get("/api/assets/instrument-usage/utilisation/", {"semester": "x"}).status_code == 400
    pk = response_pk = InstrumentUsage.objects.get().pk
    api.force_authenticate(s["outsider"])
    assert api.get(f"/api/assets/instrument-usage/{pk}/").status_code == 404
    assert api.delete(f"/api/assets/instrument-usage/{pk}/").status_code == 404
    api.force_authenticate(make_user(department=s["school"]))
    assert api.post("/api/assets/instrument-usage/", body, format="json").status_code == 403
    assert api.get("/api/assets/instrument-usage/utilisation/").status_code == 403
    api.force_authenticate(s["teacher"])
    assert api.delete(f"/api/assets/instrument-usage/{response_pk}/").status_code == 204


def test_the_lab_manager_role_keeps_the_usage_log_of_its_own_room_only(s, client):
    """R19 (电教管理教师 / 网络教室管理教师, seeded role `lab_manager`) records instrument use in its
    unit and sees neither the log nor the cards of another department (SCH-03, AST-24)."""
    from zhidu.core.tests.auth_support import user_with_roles
    from zhidu.org.models import Role, RoleAlias
    from zhidu.org.roles import seed_roles

    seed_roles()
    role = Role.objects.get(code="lab_manager")
    codenames = set(role.permissions.values_list("codename", flat=True))
    assert {"view_subledger", "add_instrumentusage", "count_stocktakeplan", "view_asset"} <= codenames
    assert "delete_asset" not in codenames and "add_asset" not in codenames
    assert RoleAlias.objects.filter(term="电教管理教师", role=role).exists()
    keeper = user_with_roles("lab_keeper", ("lab_manager", s["school"]), unit=s["school"])
    client.force_login(keeper)
    response = client.post(reverse("assets:usage_create"), {
        "asset_number": "ZC-2026-000101", "used_on": "2026-03-10", "hours": "2.0", "class_name": "高一(3)班",
        "purpose": "显微观察实验"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert InstrumentUsage.objects.filter(asset=s["microscope"], class_name="高一(3)班").exists()
    services.record_usage(asset=s["foreign"], actor=s["outsider"], used_on=DAY, hours=Decimal("1.0"), purpose="扫描")
    page = client.get(reverse("assets:usage_list")).content.decode()
    assert "数码显微镜" in page and "财务扫描仪" not in page
    refused = client.post(reverse("assets:usage_create"), {
        "asset_number": "ZC-2026-000201", "used_on": "2026-03-10", "hours": "1.0"})
    assert refused.status_code == 200 and InstrumentUsage.objects.filter(asset=s["foreign"]).count() == 1
