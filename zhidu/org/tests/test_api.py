"""The organisation API: reads restricted by scope, writes through the services, errors as JSON."""

import pytest
from rest_framework.test import APIClient

from zhidu.core.models import ChangeLogEntry
from zhidu.org import services
from zhidu.org.choices import EmploymentStatus, UnitKind
from zhidu.org.models import OrgUnit, Person, Role, RoleAlias, RoleAssignment

from .factories import person_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(roles):
    root = services.create_unit(name="华信科技有限公司", code="HX", kind=UnitKind.COMPANY, actor=None)
    zh = services.create_unit(name="综合管理部", code="ZHGLB", parent=root, actor=None)
    xx = services.create_unit(name="信息中心", code="XXZX", parent=zh, kind=UnitKind.SECTION, actor=None)
    cw = services.create_unit(name="财务部", code="CWB", parent=root, actor=None)
    boss = services.create_person(employee_no="HX0101", name="王建国", department=zh, actor=None)
    wu = services.create_person(employee_no="HX0201", name="吴刚", department=cw, actor=None)
    return {"root": root, "zh": zh, "xx": xx, "cw": cw, "boss": boss, "wu": wu}


@pytest.fixture
def api(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    return client


def test_units_crud_through_services(api, org):
    response = api.post("/api/org/units/", {"code": "SCB", "name": "市场部", "parent": org["root"].pk}, format="json")
    assert response.status_code == 201, response.json()
    unit_id = response.json()["id"]
    assert response.json()["path"] == f"/{org['root'].pk}/{unit_id}/"
    entry = ChangeLogEntry.objects.filter(object_id=str(unit_id), action="create", object_repr="市场部").get()
    assert entry.source == "api"
    response = api.patch(f"/api/org/units/{unit_id}/", {"parent": org["zh"].pk}, format="json")
    assert response.status_code == 200 and response.json()["depth"] == 2
    response = api.patch(f"/api/org/units/{org['zh'].pk}/", {"parent": org["xx"].pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "cycle"
    response = api.delete(f"/api/org/units/{org['cw'].pk}/")
    assert response.status_code == 400 and "请改为停用" in response.json()["detail"]
    response = api.post(f"/api/org/units/{org['cw'].pk}/deactivate/")
    assert response.status_code == 400 and response.json()["code"] == "has_members"
    assert api.delete(f"/api/org/units/{unit_id}/").status_code == 204


def test_unit_list_is_a_tree_with_counts_and_filters(api, org):
    data = api.get("/api/org/units/").json()
    assert [u["code"] for u in data["results"]] == ["HX", "ZHGLB", "XXZX", "CWB"]
    assert {u["code"]: u["member_count"] for u in data["results"]} == {"HX": 0, "ZHGLB": 1, "XXZX": 0, "CWB": 1}
    data = api.get("/api/org/units/", {"within": org["zh"].pk}).json()
    assert [u["code"] for u in data["results"]] == ["ZHGLB", "XXZX"]
    data = api.get("/api/org/units/", {"q": "财务"}).json()
    assert [u["code"] for u in data["results"]] == ["CWB"]


def test_people_create_update_and_lifecycle(api, org):
    response = api.post("/api/org/people/", {"employee_no": "HX0300", "name": "黄磊", "department": org["cw"].pk,
                                             "manager": org["wu"].pk}, format="json")
    assert response.status_code == 201, response.json()
    pid = response.json()["id"]
    response = api.post("/api/org/people/", {"employee_no": "HX0300", "name": "某人", "department": org["cw"].pk},
                        format="json")
    assert response.status_code == 400 and "黄磊" in response.json()["detail"]
    response = api.post(f"/api/org/people/{pid}/transfer/", {"department": org["xx"].pk}, format="json")
    assert response.status_code == 200 and response.json()["department"] == org["xx"].pk
    response = api.post(f"/api/org/people/{pid}/status/", {"status": "onboarding"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = api.post(f"/api/org/people/{pid}/status/", {"status": "left", "date": "2026-02-01"}, format="json")
    assert response.status_code == 200 and response.json()["leave_date"] == "2026-02-01"
    response = api.post(f"/api/org/people/{pid}/login/", {"username": "huanglei"}, format="json")
    assert response.status_code == 201 and response.json()["username"] == "huanglei"
    assert api.delete(f"/api/org/people/{pid}/").status_code == 405
    data = api.get("/api/org/people/", {"status": "left"}).json()
    assert [p["employee_no"] for p in data["results"]] == ["HX0300"]
    data = api.get("/api/org/people/", {"department": org["zh"].pk}).json()
    assert sorted(p["employee_no"] for p in data["results"]) == ["HX0101", "HX0300"]  # incl. sub-units


def test_role_assignments_and_aliases(api, org, roles):
    boss = org["boss"]
    response = api.post("/api/org/role-assignments/", {"person": boss.pk, "role": roles["dept_head"].pk,
                                                       "unit": org["zh"].pk}, format="json")
    assert response.status_code == 201, response.json()
    aid = response.json()["id"]
    assert response.json()["scope"].startswith("综合管理部") or "综合管理部" in response.json()["scope"]
    response = api.post("/api/org/role-assignments/", {"person": boss.pk, "role": roles["dept_head"].pk,
                                                       "unit": org["zh"].pk}, format="json")
    assert response.status_code == 409
    response = api.patch(f"/api/org/role-assignments/{aid}/", {"valid_until": "2030-12-31"}, format="json")
    assert response.status_code == 200 and response.json()["valid_until"] == "2030-12-31"
    response = api.patch(f"/api/org/role-assignments/{aid}/", {"unit": org["cw"].pk}, format="json")
    assert response.status_code == 400
    assert api.delete(f"/api/org/role-assignments/{aid}/").status_code == 204
    assert not RoleAssignment.objects.filter(pk=aid).exists()
    response = api.post("/api/org/aliases/", {"term": "分管领导", "role": roles["it_leader"].pk}, format="json")
    assert response.status_code == 201
    response = api.post("/api/org/aliases/", {"term": "分管领导", "role": roles["cfo"].pk}, format="json")
    assert response.status_code == 400 and "已对应角色" in response.json()["detail"]
    assert RoleAlias.objects.get(term="分管领导").role.code == "it_leader"


def test_roles_read_and_admin_write(api, org, roles):
    data = api.get("/api/org/roles/", {"q": "cfo"}).json()
    cfo = data["results"][0]
    assert cfo["code"] == "cfo" and "财务总监" in cfo["aliases"] and "org.view_person" in cfo["permissions"]
    response = api.post("/api/org/roles/", {"code": "net_admin", "name": "网络管理员",
                                            "permissions": ["org.view_person", "org.view_orgunit"]}, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["permissions"]) == ["org.view_orgunit", "org.view_person"]
    response = api.post("/api/org/roles/", {"code": "x", "name": "X", "permissions": ["nope.nothing"]}, format="json")
    assert response.status_code == 400
    response = api.patch(f"/api/org/roles/{roles['cfo'].pk}/", {"code": "cfo2"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "builtin"
    assert api.delete(f"/api/org/roles/{roles['cfo'].pk}/").status_code == 400


def test_scope_for_a_department_head(org, roles):
    head = person_with_login(username="head", department=org["zh"], roles=[("dept_head", org["zh"], True)])
    client = APIClient()
    client.force_authenticate(head.user)
    data = client.get("/api/org/people/").json()
    assert sorted(p["employee_no"] for p in data["results"]) == sorted(["HX0101", head.employee_no])
    assert client.get(f"/api/org/people/{org['wu'].pk}/").status_code == 404
    assert client.get(f"/api/org/people/{org['boss'].pk}/").status_code == 200
    response = client.patch(f"/api/org/people/{org['boss'].pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    response = client.post("/api/org/people/", {"employee_no": "Z1", "name": "甲", "department": org["zh"].pk},
                           format="json")
    assert response.status_code == 403
    # roles are org-wide data: a department head sees none of them
    assert client.get("/api/org/roles/").json()["count"] == 0


def test_hr_may_not_place_people_out_of_scope(org, roles):
    hr = person_with_login(username="hr", department=org["zh"], roles=[("hr", org["zh"], True)])
    client = APIClient()
    client.force_authenticate(hr.user)
    response = client.post("/api/org/people/", {"employee_no": "Z1", "name": "甲", "department": org["cw"].pk},
                           format="json")
    assert response.status_code == 400  # 财务部 is not a unit HR may even see
    response = client.post("/api/org/people/", {"employee_no": "Z1", "name": "甲", "department": org["xx"].pk},
                           format="json")
    assert response.status_code == 201
    assert Person.objects.get(employee_no="Z1").status == EmploymentStatus.ACTIVE
    response = client.post("/api/org/units/", {"code": "X", "name": "新组", "parent": org["root"].pk}, format="json")
    assert response.status_code == 400  # the root is out of HR's scope
    response = client.post("/api/org/units/", {"code": "X", "name": "新组", "parent": org["zh"].pk}, format="json")
    assert response.status_code == 201
    assert OrgUnit.objects.get(code="X").parent == org["zh"]
    assert Role.objects.filter(code="hr").exists()


def test_unauthenticated_is_refused(org):
    assert APIClient().get("/api/org/people/").status_code in (401, 403)
