"""Pages of the organisation: they render, forms go through the services, errors show in place."""

import pytest
from django.urls import reverse

from zhidu.core.models import TimelineEvent
from zhidu.org import services
from zhidu.org.choices import EmploymentStatus, UnitKind
from zhidu.org.models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment

from .factories import PersonFactory, UserFactory, person_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(roles):
    root = services.create_unit(name="华信科技有限公司", code="HX", kind=UnitKind.COMPANY, actor=None)
    zh = services.create_unit(name="综合管理部", code="ZHGLB", parent=root, is_it_authority=True, actor=None)
    xx = services.create_unit(name="信息中心", code="XXZX", parent=zh, kind=UnitKind.SECTION, actor=None)
    cw = services.create_unit(name="财务部", code="CWB", parent=root, actor=None)
    boss = services.create_person(employee_no="HX0101", name="王建国", department=zh, actor=None)
    services.assign_role(person=boss, role=roles["dept_head"], unit=zh, actor=None)
    services.create_person(employee_no="HX0111", name="张伟", department=xx, manager=boss, actor=None)
    services.create_person(employee_no="HX0201", name="吴刚", department=cw, actor=None)
    return {"root": root, "zh": zh, "xx": xx, "cw": cw, "boss": boss}


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("name", ["org:unit_list", "org:person_list", "org:position_list", "org:role_list",
                                  "org:assignment_list", "org:alias_list", "org:unit_create", "org:person_create",
                                  "org:position_create", "org:role_create", "org:assignment_create",
                                  "org:alias_create", "org:unit_import", "org:person_import"])
def test_pages_render_for_an_administrator(admin_client, org, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200, response.content[:2000]


def test_object_pages_render(admin_client, org, roles):
    zh, boss = org["zh"], org["boss"]
    for url in (reverse("org:unit_detail", args=[zh.pk]), reverse("org:unit_edit", args=[zh.pk]),
                reverse("org:unit_delete", args=[zh.pk]), reverse("org:person_detail", args=[boss.pk]),
                reverse("org:person_edit", args=[boss.pk]), reverse("org:person_status", args=[boss.pk]),
                reverse("org:person_login", args=[boss.pk]), reverse("org:role_detail", args=[roles["dept_head"].pk]),
                reverse("org:role_edit", args=[roles["dept_head"].pk]),
                reverse("org:assignment_revoke", args=[boss.role_assignments.get(role__code="dept_head").pk]),
                reverse("org:person_detail", args=[boss.pk]) + "?tab=timeline",
                reverse("org:person_detail", args=[boss.pk]) + "?tab=history"):
        response = admin_client.get(url)
        assert response.status_code == 200, (url, response.content[:2000])


def test_org_page_shows_tree_counts_and_gov09(admin_client, org):
    html = admin_client.get(reverse("org:unit_list")).content.decode()
    assert html.index("综合管理部") < html.index("信息中心") < html.index("财务部")
    assert 'id="gov09"' in html
    # 综合管理部 lacks an information officer, 财务部 both
    assert 'data-unit="CWB"' in html and 'data-unit="ZHGLB"' in html


def test_unit_detail_lists_members_holders_and_children(admin_client, org):
    html = admin_client.get(reverse("org:unit_detail", args=[org["zh"].pk])).content.decode()
    assert "王建国" in html and "信息中心" in html and "部门负责人" in html


def test_create_unit_and_refused_move_shown_in_place(admin_client, org):
    response = admin_client.post(reverse("org:unit_create"), {
        "name": "市场部", "code": "SCB", "kind": "department", "parent": org["root"].pk, "sort_order": 30,
    })
    assert response.status_code == 302
    scb = OrgUnit.objects.get(code="SCB")
    assert scb.parent == org["root"]
    response = admin_client.post(reverse("org:unit_create"), {
        "name": "市场部", "code": "SCB2", "kind": "department", "parent": org["root"].pk, "sort_order": 0,
    })
    assert response.status_code == 200 and "同名单位" in response.content.decode()
    assert response.context["form"].data["code"] == "SCB2"


def test_delete_unit_with_members_says_why(admin_client, org):
    response = admin_client.post(reverse("org:unit_delete", args=[org["cw"].pk]))
    assert response.status_code == 200
    assert OrgUnit.objects.filter(pk=org["cw"].pk).exists()
    assert "请改为停用" in response.content.decode()


def test_deactivate_refused_shows_message(admin_client, org):
    response = admin_client.post(reverse("org:unit_deactivate", args=[org["cw"].pk]), follow=True)
    assert OrgUnit.objects.get(pk=org["cw"].pk).is_active
    assert any("名在册人员" in str(m) for m in response.context["messages"])
    assert admin_client.get(reverse("org:unit_deactivate", args=[org["cw"].pk])).status_code == 405


def test_person_create_transfer_status_login(admin_client, org):
    response = admin_client.post(reverse("org:person_create"), {
        "employee_no": "HX0300", "name": "黄磊", "department": org["cw"].pk, "status": "active",
        "hire_date": "2024-01-02",
    })
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(employee_no="HX0300")
    response = admin_client.post(reverse("org:person_edit", args=[person.pk]), {
        "employee_no": "HX0300", "name": "黄磊", "department": org["zh"].pk, "hire_date": "2024-01-02",
    })
    assert response.status_code == 302
    response = admin_client.post(reverse("org:person_status", args=[person.pk]),
                                 {"status": "left", "date": "2026-01-31", "note": ""})
    assert response.status_code == 302
    response = admin_client.post(reverse("org:person_login", args=[person.pk]), {"username": "huanglei"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.department == org["zh"] and person.status == EmploymentStatus.LEFT and person.user.username == "huanglei"
    verbs = list(TimelineEvent.objects.filter(object_id=str(person.pk)).values_list("verb", flat=True))
    assert verbs == ["hired", "dept_transfer", "left", "login_created"]
    html = admin_client.get(reverse("org:person_detail", args=[person.pk]) + "?tab=timeline").content.decode()
    assert "综合管理部" in html


def test_duplicate_employee_number_error_in_place(admin_client, org):
    response = admin_client.post(reverse("org:person_create"), {
        "employee_no": "HX0101", "name": "某人", "department": org["cw"].pk, "status": "active",
    })
    assert response.status_code == 200
    assert "王建国" in response.content.decode()
    assert response.context["form"].data["name"] == "某人"


def test_assign_and_revoke_role(admin_client, org, roles):
    zhang = Person.objects.get(employee_no="HX0111")
    response = admin_client.post(reverse("org:assignment_create"), {
        "person": zhang.pk, "role": roles["dept_it_officer"].pk, "unit": org["zh"].pk, "include_subtree": "on",
    })
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(person=zhang, role__code="dept_it_officer")
    response = admin_client.post(reverse("org:assignment_create"), {
        "person": zhang.pk, "role": roles["dept_it_officer"].pk, "unit": org["zh"].pk,
    })
    assert response.status_code == 200  # duplicate: shown in place
    response = admin_client.post(reverse("org:assignment_revoke", args=[assignment.pk]), {"reason": "调岗"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_roles_and_aliases(admin_client, org, roles):
    response = admin_client.post(reverse("org:role_create"), {
        "code": "network_admin", "name": "网络管理员", "default_scope": "org", "generic_code": "R06a",
    })
    assert response.status_code == 302
    role = Role.objects.get(code="network_admin")
    response = admin_client.post(reverse("org:alias_create"), {"term": "网络管理岗人员", "role": role.pk})
    assert response.status_code == 302
    response = admin_client.post(reverse("org:alias_create"), {"term": "网络管理岗人员", "role": role.pk})
    assert response.status_code == 200
    html = admin_client.get(reverse("org:role_detail", args=[role.pk])).content.decode()
    assert "网络管理岗人员" in html
    response = admin_client.post(reverse("org:role_delete", args=[roles["cfo"].pk]))
    assert response.status_code == 200 and Role.objects.filter(code="cfo").exists()
    alias = RoleAlias.objects.get(term="网络管理岗人员")
    assert admin_client.post(reverse("org:alias_delete", args=[alias.pk])).status_code == 302


def test_positions(admin_client, org):
    assert admin_client.post(reverse("org:position_create"), {"name": "网络管理岗"}).status_code == 302
    position = Position.objects.get(name="网络管理岗")
    PersonFactory(department=org["cw"], position=position)
    response = admin_client.post(reverse("org:position_delete", args=[position.pk]))
    assert response.status_code == 200 and Position.objects.filter(pk=position.pk).exists()


def test_people_list_search_filter_export(admin_client, org):
    url = reverse("org:person_list")
    wu = reverse("org:person_detail", args=[Person.objects.get(employee_no="HX0201").pk])
    zhang = reverse("org:person_detail", args=[Person.objects.get(employee_no="HX0111").pk])
    html = admin_client.get(url, {"q": "HX01"}).content.decode()
    assert zhang in html and wu not in html
    html = admin_client.get(url, {"department": org["zh"].pk}).content.decode()
    assert zhang in html and wu not in html  # sub-units included
    response = admin_client.get(url, {"export": "csv", "status": "active"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "王建国" in body and "吴刚" in body


def test_hr_officer_in_scope_only(client, org, roles):
    hr = person_with_login(username="hr1", department=org["zh"], roles=[("hr", org["zh"], True)])
    client.force_login(hr.user)
    response = client.post(reverse("org:person_create"), {
        "employee_no": "X1", "name": "甲", "department": org["cw"].pk, "status": "active",
    })
    assert response.status_code == 200 and not Person.objects.filter(employee_no="X1").exists()
    response = client.post(reverse("org:person_create"), {
        "employee_no": "X2", "name": "乙", "department": org["xx"].pk, "status": "active",
    })
    assert response.status_code == 302
    wu = Person.objects.get(employee_no="HX0201")
    assert client.get(reverse("org:person_edit", args=[wu.pk])).status_code == 404


def test_menu_entries(client, org):
    user = UserFactory(username="plain")
    PersonFactory(user=user, department=org["cw"])
    client.force_login(user)
    html = client.get("/").content.decode()
    assert reverse("org:role_list") not in html
