"""Services of the organisation: units tree, people lifecycle, logins, roles and aliases (GOV)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import ChangeLogEntry, TimelineEvent
from zhidu.org import selectors, services
from zhidu.org.choices import EmploymentStatus, UnitKind
from zhidu.org.models import OrgUnit, Person, RoleAssignment

from .factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def events(obj):
    ct = ContentType.objects.get_for_model(obj)
    return list(TimelineEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).values_list("verb", flat=True))


def make_tree():
    root = services.create_unit(name="公司", code="HQ", kind=UnitKind.COMPANY, actor=None)
    a = services.create_unit(name="综合管理部", code="ZH", parent=root, actor=None)
    a1 = services.create_unit(name="信息中心", code="XX", parent=a, kind=UnitKind.SECTION, actor=None)
    a11 = services.create_unit(name="网络组", code="WL", parent=a1, kind=UnitKind.SECTION, actor=None)
    b = services.create_unit(name="财务部", code="CW", parent=root, actor=None)
    return root, a, a1, a11, b


class TestUnits:
    def test_paths_depths_and_tree_order(self):
        root, a, a1, a11, b = make_tree()
        assert root.path == f"/{root.pk}/" and root.depth == 0
        assert a11.path == f"/{root.pk}/{a.pk}/{a1.pk}/{a11.pk}/" and a11.depth == 3
        assert [u.code for u in OrgUnit.objects.all()] == ["HQ", "ZH", "XX", "WL", "CW"]

    def test_sort_order_reorders_siblings_and_their_subtrees(self):
        root, a, a1, a11, b = make_tree()
        services.update_unit(unit=b, sort_order=0, actor=None)
        services.update_unit(unit=a, sort_order=5, actor=None)
        assert [u.code for u in OrgUnit.objects.all()] == ["HQ", "CW", "ZH", "XX", "WL"]

    def test_move_keeps_subtree_paths(self):
        root, a, a1, a11, b = make_tree()
        services.move_unit(unit=a1, parent=b, actor=None)
        a1.refresh_from_db()
        a11.refresh_from_db()
        assert a1.path == f"/{root.pk}/{b.pk}/{a1.pk}/"
        assert a11.path == f"/{root.pk}/{b.pk}/{a1.pk}/{a11.pk}/" and a11.depth == 3
        assert set(selectors.subtree(b).values_list("code", flat=True)) == {"CW", "XX", "WL"}
        assert [u.code for u in OrgUnit.objects.all()] == ["HQ", "ZH", "CW", "XX", "WL"]

    def test_move_to_top_level(self):
        root, a, a1, a11, b = make_tree()
        services.move_unit(unit=a1, parent=None, actor=None)
        a11.refresh_from_db()
        assert a11.path == f"/{a1.pk}/{a11.pk}/" and a11.depth == 1

    @pytest.mark.parametrize("target", ["self", "child", "grandchild"])
    def test_move_refuses_cycles(self, target):
        root, a, a1, a11, b = make_tree()
        parent = {"self": a, "child": a1, "grandchild": a11}[target]
        with pytest.raises(RuleViolation, match="不能移到其自身或其下级单位") as exc:
            services.move_unit(unit=a, parent=parent, actor=None)
        assert exc.value.code == "cycle"

    def test_move_through_update_unit(self):
        root, a, a1, a11, b = make_tree()
        services.update_unit(unit=a1, parent=b, name="信息部", actor=None)
        a1.refresh_from_db()
        assert a1.parent == b and a1.name == "信息部"

    def test_one_change_log_entry_per_created_unit_and_moves_log_only_the_parent(self):
        before = ChangeLogEntry.objects.count()
        root = services.create_unit(name="公司", code="HQ", actor=None)
        assert ChangeLogEntry.objects.count() == before + 1
        a = services.create_unit(name="甲", code="A", parent=root, actor=None)
        b = services.create_unit(name="乙", code="B", parent=root, actor=None)
        services.create_unit(name="丙", code="C", parent=a, actor=None)
        before = ChangeLogEntry.objects.count()
        services.move_unit(unit=a, parent=b, actor=None)
        entries = list(ChangeLogEntry.objects.filter(id__gt=0).order_by("-id")[: ChangeLogEntry.objects.count() - before])
        assert len(entries) == 1
        assert entries[0].after == {"parent_id": b.pk}

    def test_duplicate_code_and_name_are_refused(self):
        root, a, *_ = make_tree()
        with pytest.raises(RuleViolation, match="已被使用"):
            services.create_unit(name="新部门", code="zh", actor=None)
        with pytest.raises(RuleViolation, match="下已有名为"):
            services.create_unit(name="综合管理部", code="ZH2", parent=root, actor=None)
        # the same name under another parent is fine
        services.create_unit(name="综合管理部", code="ZH3", parent=a, actor=None)

    def test_it_authority_is_one_unit(self):
        root, a, a1, a11, b = make_tree()
        services.update_unit(unit=a, is_it_authority=True, actor=None)
        services.update_unit(unit=a1, is_it_authority=True, actor=None)
        assert list(selectors.it_authority_units()) == [OrgUnit.objects.get(pk=a1.pk)]

    def test_deactivate_refused_with_members_or_children(self):
        root, a, a1, a11, b = make_tree()
        PersonFactory(department=b)
        with pytest.raises(RuleViolation, match="名在册人员") as exc:
            services.deactivate_unit(unit=b, actor=None)
        assert exc.value.code == "has_members"
        with pytest.raises(RuleViolation, match="个启用的下级单位"):
            services.deactivate_unit(unit=a1, actor=None)
        services.deactivate_unit(unit=a11, actor=None)
        services.deactivate_unit(unit=a1, actor=None)
        assert not OrgUnit.objects.get(pk=a1.pk).is_active
        with pytest.raises(RuleViolation, match="已停用"):
            services.create_unit(name="新组", code="NEW", parent=a1, actor=None)
        with pytest.raises(RuleViolation, match="请先重新启用上级单位"):
            services.reactivate_unit(unit=a11, actor=None)

    def test_delete_refused_with_members_even_former_ones(self):
        root, a, a1, a11, b = make_tree()
        PersonFactory(department=b, status=EmploymentStatus.LEFT)
        with pytest.raises(RuleViolation, match="有 1 名人员属于该单位") as exc:
            services.delete_unit(unit=b, actor=None)
        assert "请改为停用" in str(exc.value)
        with pytest.raises(RuleViolation, match="个下级单位"):
            services.delete_unit(unit=a1, actor=None)
        services.delete_unit(unit=a11, actor=None)
        assert not OrgUnit.objects.filter(code="WL").exists()


class TestPeople:
    def test_create_records_hire_and_assigns_employee_role(self, roles):
        root, a, *_ = make_tree()
        person = services.create_person(employee_no="1001", name="张伟", department=a, actor=None,
                                        hire_date=datetime.date(2024, 3, 1))
        assert events(person) == ["hired"]
        assert list(person.role_assignments.values_list("role__code", "unit")) == [("employee", None)]

    def test_employee_no_is_unique(self):
        root, a, *_ = make_tree()
        services.create_person(employee_no="1001", name="张伟", department=a, actor=None)
        with pytest.raises(RuleViolation, match="已被张伟使用") as exc:
            services.create_person(employee_no="1001", name="李娜", department=a, actor=None)
        assert exc.value.code == "duplicate_employee_no"

    def test_transfer_is_a_timeline_event_and_ends_roles_of_the_old_department(self, roles):
        root, a, a1, a11, b = make_tree()
        p = services.create_person(employee_no="1", name="王芳", department=a1, actor=None)
        services.assign_role(person=p, role=roles["dept_it_officer"], unit=a1, actor=None)
        services.assign_role(person=p, role=roles["it_staff"], unit=None, actor=None)
        p = services.update_person(person=p, department=b, actor=None)
        assert p.department == b
        assert events(p)[-2:] == ["role_revoked", "dept_transfer"]
        assert sorted(p.role_assignments.values_list("role__code", flat=True)) == ["employee", "it_staff"]
        event = TimelineEvent.objects.filter(verb="dept_transfer").get()
        assert event.data["from"] == a1.pk and event.data["to"] == b.pk

    def test_transfer_within_a_subtree_role_keeps_it(self, roles):
        root, a, a1, a11, b = make_tree()
        p = services.create_person(employee_no="1", name="王芳", department=a1, actor=None)
        services.assign_role(person=p, role=roles["dept_head"], unit=a, include_subtree=True, actor=None)
        services.transfer_person(person=p, department=a11, actor=None)
        assert p.role_assignments.filter(role__code="dept_head").exists()

    def test_status_lifecycle_and_leaving_closes_the_login(self, roles):
        root, a, *_ = make_tree()
        user = UserFactory(username="wf")
        p = services.create_person(employee_no="1", name="王芳", department=a, actor=None,
                                   status=EmploymentStatus.ONBOARDING, hire_date=datetime.date(2025, 1, 1))
        services.link_user(person=p, user=user, actor=None)
        p = services.change_status(person=p, status=EmploymentStatus.ACTIVE, actor=None)
        p = services.change_status(person=p, status=EmploymentStatus.LEAVING, actor=None)
        p = services.change_status(person=p, status=EmploymentStatus.LEFT, actor=None, date=datetime.date(2026, 1, 31))
        assert p.leave_date == datetime.date(2026, 1, 31)
        user.refresh_from_db()
        assert not user.is_active
        assert selectors.grants_for_user(user) == {}
        p = services.change_status(person=p, status=EmploymentStatus.ACTIVE, actor=None, date=datetime.date(2026, 6, 1))
        user.refresh_from_db()
        assert user.is_active and p.leave_date is None and p.hire_date == datetime.date(2026, 6, 1)
        assert events(p) == ["hired", "login_linked", "activated", "leaving", "left", "rehired"]

    def test_invalid_transition_is_a_conflict(self):
        root, a, *_ = make_tree()
        p = services.create_person(employee_no="1", name="王芳", department=a, actor=None,
                                   status=EmploymentStatus.ONBOARDING)
        with pytest.raises(Conflict, match="的状态不能从"):
            services.change_status(person=p, status=EmploymentStatus.LEAVING, actor=None)

    def test_manager_loops_are_refused(self):
        root, a, *_ = make_tree()
        boss = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        mid = services.create_person(employee_no="2", name="乙", department=a, actor=None, manager=boss)
        low = services.create_person(employee_no="3", name="丙", department=a, actor=None, manager=mid)
        with pytest.raises(RuleViolation, match="不能是自己的直属上级"):
            services.update_person(person=boss, manager=boss, actor=None)
        with pytest.raises(RuleViolation, match="循环"):
            services.update_person(person=boss, manager=low, actor=None)

    def test_cannot_place_in_a_deactivated_unit(self):
        root, a, a1, a11, b = make_tree()
        services.deactivate_unit(unit=a11, actor=None)
        with pytest.raises(RuleViolation, match="已停用"):
            services.create_person(employee_no="1", name="甲", department=OrgUnit.objects.get(pk=a11.pk), actor=None)

    def test_logins(self):
        root, a, *_ = make_tree()
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        q = services.create_person(employee_no="2", name="乙", department=a, actor=None)
        user = services.create_login(person=p, username="jia", password="Secret-Passw0rd", actor=None)
        assert Person.objects.get(pk=p.pk).user == user and user.check_password("Secret-Passw0rd")
        with pytest.raises(RuleViolation, match="已被占用"):
            services.create_login(person=q, username="JIA", actor=None)
        with pytest.raises(Conflict, match="已属于甲"):
            services.link_user(person=q, user=user, actor=None)
        services.unlink_user(person=p, actor=None)
        services.link_user(person=q, user=user, actor=None)
        assert Person.objects.get(pk=q.pk).user == user


class TestRoles:
    def test_assign_and_revoke_on_the_timeline_and_head_kept_in_sync(self, roles):
        root, a, *_ = make_tree()
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        assignment = services.assign_role(person=p, role=roles["dept_head"], unit=a, actor=None)
        assert OrgUnit.objects.get(pk=a.pk).head == p
        with pytest.raises(Conflict, match="已担任"):
            services.assign_role(person=p, role=roles["dept_head"], unit=a, actor=None)
        services.revoke_role(assignment=assignment, actor=None, reason="调岗")
        assert OrgUnit.objects.get(pk=a.pk).head is None
        assert events(p)[-2:] == ["role_assigned", "role_revoked"]

    def test_org_wide_duplicate_refused(self, roles):
        root, a, *_ = make_tree()
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        services.assign_role(person=p, role=roles["cfo"], actor=None)
        with pytest.raises(Conflict):
            services.assign_role(person=p, role=roles["cfo"], actor=None)

    def test_dates_and_left_people(self, roles):
        root, a, *_ = make_tree()
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        with pytest.raises(RuleViolation, match="结束日期不能早于开始日期"):
            services.assign_role(person=p, role=roles["cfo"], actor=None,
                                 valid_from=datetime.date(2026, 2, 1), valid_until=datetime.date(2026, 1, 1))
        services.change_status(person=p, status=EmploymentStatus.LEFT, actor=None)
        with pytest.raises(RuleViolation, match="已离职"):
            services.assign_role(person=p, role=roles["cfo"], actor=None)

    def test_validity_window_counts_for_grants_and_holders(self, roles):
        root, a, *_ = make_tree()
        user = UserFactory(username="u")
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        services.link_user(person=p, user=user, actor=None)
        services.assign_role(person=p, role=roles["cfo"], actor=None, valid_from=datetime.date(2999, 1, 1))
        assert "org.view_person" not in selectors.grants_for_user(user)
        assert selectors.holders_of_role("cfo") == []

    def test_builtin_roles_cannot_be_deleted_or_recoded(self, roles):
        with pytest.raises(RuleViolation, match="内置角色"):
            services.delete_role(role=roles["cfo"], actor=None)
        with pytest.raises(RuleViolation, match="内置角色"):
            services.update_role(role=roles["cfo"], code="cfo2", actor=None)

    def test_custom_role_permissions_are_change_logged(self, roles):
        from django.contrib.auth.models import Permission

        perm = Permission.objects.get(content_type__app_label="org", codename="view_person")
        role = services.create_role(code="network_admin", name="网络管理员", permissions=[perm], actor=None)
        services.update_role(role=role, permissions=[], actor=None)
        logged = ChangeLogEntry.objects.filter(action="event", object_id=str(role.pk)).order_by("id")
        assert [e.after for e in logged] == [
            {"permissions_added": ["org.view_person"], "permissions_removed": []},
            {"permissions_added": [], "permissions_removed": ["org.view_person"]},
        ]
        with pytest.raises(RuleViolation, match="只能使用字母、数字"):
            services.create_role(code="网络", name="x", actor=None)

    def test_role_in_use_cannot_be_deleted(self, roles):
        root, a, *_ = make_tree()
        role = services.create_role(code="x", name="X", actor=None)
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        services.assign_role(person=p, role=role, actor=None)
        with pytest.raises(RuleViolation, match="请先撤销"):
            services.delete_role(role=role, actor=None)


class TestAliases:
    def test_aliases_resolve_terms(self, roles):
        assert selectors.resolve_role_term("综合管理部主管领导").code == "it_leader"
        assert selectors.resolve_role_term("财务总监").code == "cfo"
        assert selectors.resolve_role_term("部门经理").code == "dept_head"
        assert selectors.resolve_role_term("cfo").code == "cfo"
        alias = services.create_alias(term="分管领导", role=roles["it_leader"], actor=None)
        with pytest.raises(RuleViolation, match="已对应角色"):
            services.create_alias(term="分管领导", role=roles["dept_head"], actor=None)
        services.update_alias(alias=alias, role=roles["dept_head"], actor=None)
        assert selectors.resolve_role_term("分管领导").code == "dept_head"


class TestGov09:
    def test_departments_missing_head_or_information_officer(self, roles):
        root, a, a1, a11, b = make_tree()
        p = services.create_person(employee_no="1", name="甲", department=a, actor=None)
        services.assign_role(person=p, role=roles["dept_head"], unit=a, actor=None)
        services.assign_role(person=p, role=roles["dept_it_officer"], unit=a, actor=None)
        q = services.create_person(employee_no="2", name="乙", department=b, actor=None)
        services.assign_role(person=q, role=roles["dept_head"], unit=b, actor=None)
        missing = selectors.departments_missing_it_roles()
        assert [(m.unit.code, [r.code for r in m.missing]) for m in missing] == [("CW", ["dept_it_officer"])]
        # a holder who left no longer counts
        services.change_status(person=p, status=EmploymentStatus.LEFT, actor=None)
        codes = {m.unit.code for m in selectors.departments_missing_it_roles()}
        assert codes == {"ZH", "CW"}


class TestSeedRoles:
    def test_seed_is_idempotent_and_keeps_admin_changes(self, roles):
        from django.contrib.auth.models import Permission

        from zhidu.org.roles import seed_roles

        cfo = roles["cfo"]
        extra = Permission.objects.get(content_type__app_label="org", codename="change_person")
        cfo.permissions.add(extra)
        stats = seed_roles()
        assert stats == {"roles_created": 0, "roles_updated": 0, "permissions_added": 0, "aliases_created": 0}
        assert cfo.permissions.filter(pk=extra.pk).exists()
        seed_roles(reset_permissions=True)
        assert not cfo.permissions.filter(pk=extra.pk).exists()

    def test_catalogue_codes_and_permissions(self, roles):
        assert {"it_staff", "it_authority_head", "it_leader", "dept_head", "dept_it_officer", "cfo", "finance",
                "general_manager", "hr", "consumables_keeper", "data_custodian", "auditor", "employee",
                "parent_approver", "steering_member"} <= set(roles)
        perms = lambda code: {f"{p.content_type.app_label}.{p.codename}" for p in roles[code].permissions.all()}  # noqa: E731
        assert "core.view_changelogentry" in perms("auditor")
        assert "org.view_person" in perms("auditor") and not any(p.startswith("org.change") for p in perms("auditor"))
        assert "org.change_person" in perms("hr")
        assert perms("employee") <= {"procurement.add_purchaserequest"}
        assert roles["dept_head"].default_scope == "unit"


def test_unit_index_resolves_codes_names_and_paths():
    root, a, a1, a11, b = make_tree()
    other = services.create_unit(name="信息中心", code="XX2", parent=b, kind=UnitKind.SECTION, actor=None)
    index = selectors.UnitIndex()
    assert index.resolve("xx") == a1
    assert index.resolve("财务部") == b
    assert index.resolve("综合管理部/信息中心") == a1
    assert index.resolve("公司/财务部/信息中心") == other
    assert index.resolve("总部/综合管理部/信息中心") == a1  # the root named by another word
    with pytest.raises(ValueError, match="不唯一"):
        index.resolve("信息中心")
    with pytest.raises(ValueError, match="找不到单位"):
        index.resolve("销售部")


def test_can_act_in_unit(roles):
    root, a, a1, a11, b = make_tree()
    user = UserFactory(username="hr1")
    p = PersonFactory(department=a, user=user)
    RoleAssignment.objects.create(person=p, role=roles["hr"], unit=a, include_subtree=True)
    assert selectors.can_act_in_unit(user, "org.add_person", a11)
    assert not selectors.can_act_in_unit(user, "org.add_person", b)
    assert not selectors.can_act_in_unit(user, "org.add_person", None)
