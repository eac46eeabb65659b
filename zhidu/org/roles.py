"""The role catalogue: the generic roles of §25.1 in use now, with stable codes, their default
permissions and the regulation terms that name them (GOV-11, §25.2).

`seed_roles()` writes the catalogue into the database (idempotent; `manage.py seed_roles`,
run by `load_demo`). Permissions are declared as patterns "app_label.codename-glob" and
resolved against the permissions that exist when seeding runs, so a re-run after a new app
or model was added picks its permissions up.

Apps that come later add their permissions to the built-in roles from `AppConfig.ready()`::

    from zhidu.org.roles import extend_role_permissions
    extend_role_permissions("it_staff", ["assets.view_*", "assets.add_*", "assets.change_*"])
    extend_role_permissions("dept_head", ["assets.view_asset"])
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction

from .choices import RoleScope


@dataclass
class RoleSpec:
    code: str
    name: str
    generic_code: str
    description: str
    default_scope: str = RoleScope.ORG
    permissions: list[str] = field(default_factory=list)


ORG_VIEW = ["org.view_*"]
PROCUREMENT_VIEW = ["procurement.view_*"]

ROLE_CATALOGUE: list[RoleSpec] = [
    RoleSpec(
        "steering_member", "信息化领导小组成员", "R01",
        "审议信息化规划、预算、制度和重大项目（篇2 第三条；篇14/5 第五条）。",
        permissions=[*ORG_VIEW, *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "general_manager", "总经理", "R02",
        "最高行政负责人，在部分审批路线中为最终审批人（篇14/5 第十四条）。",
        permissions=[*ORG_VIEW, *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "it_leader", "信息化主管领导", "R03",
        "综合管理部主管领导：审批 5 万元（含）以下的信息化采购（篇1 第六条、第九条(2)）。",
        permissions=[*ORG_VIEW, *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "cfo", "财务总监", "R04",
        "审批 5 万元以上的信息化采购（篇1 第九条(2)）。",
        permissions=["org.view_orgunit", "org.view_person", *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "finance", "财务人员", "R04",
        "报销、付款；报销须在入库之后（篇6 第三条(24)）。",
        permissions=["org.view_orgunit", "org.view_person", *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "it_authority_head", "信息化主管部门负责人", "R05",
        "信息化主管部门（综合管理部/信息中心）负责人，负责信息化工作流程（GOV-07）。",
        permissions=[
            *ORG_VIEW, "org.add_roleassignment", "org.change_roleassignment", "org.delete_roleassignment",
            "org.add_rolealias", "org.change_rolealias", "org.delete_rolealias",
            "procurement.view_*", "procurement.add_*", "procurement.change_*",
        ],
    ),
    RoleSpec(
        "it_staff", "IT 管理员", "R06",
        "信息化主管部门工作人员：台账、工单、执行已批准的变更（GOV-07）。",
        permissions=[*ORG_VIEW, "procurement.view_*", "procurement.add_*", "procurement.change_*"],
    ),
    RoleSpec(
        "dept_head", "部门负责人", "R07",
        "部门经理，部门第一责任人；部门级审批（篇1 第三十三条；篇2 第五条）。",
        default_scope=RoleScope.UNIT,
        permissions=["org.view_orgunit", "org.view_person", "org.view_roleassignment", *PROCUREMENT_VIEW,
                     "procurement.add_purchaserequest"],
    ),
    RoleSpec(
        "dept_it_officer", "部门信息员", "R08",
        "部门指定的信息化联络人（篇2 第五条；篇14/5 第八条）。",
        default_scope=RoleScope.UNIT,
        permissions=["org.view_orgunit", "org.view_person", *PROCUREMENT_VIEW, "procurement.add_purchaserequest"],
    ),
    RoleSpec(
        "employee", "员工", "R09",
        "全体员工：自助提交申请，查看本人的记录。",
        permissions=["procurement.add_purchaserequest"],
    ),
    RoleSpec(
        "hr", "人事专员", "R11",
        "人事部：维护人员的入职、调动、离职（篇1 第十八条(3)）。",
        permissions=["org.view_*", "org.add_orgunit", "org.change_orgunit", "org.add_person", "org.change_person",
                     "org.add_position", "org.change_position", "org.delete_position"],
    ),
    RoleSpec(
        "consumables_keeper", "耗材管理员", "R17",
        "发放耗材、登记台账、考核定额（篇14 第十九条）。",
        permissions=["org.view_orgunit", "org.view_person"],
    ),
    RoleSpec(
        "lab_manager", "专用室/电教设备管理员", "R19",
        "电教管理教师、网络教室（计算机室）管理教师：保管本室设备，记总帐分帐，交接设备，记录贵重仪器使用"
        "（篇12 电教管理教师(1)(9)；网络教室管理教师(1)(2)）。",
        default_scope=RoleScope.UNIT,
        permissions=["org.view_orgunit", "org.view_person"],
    ),
    RoleSpec(
        "data_custodian", "数据保管员", "R18",
        "保管交接后的备份介质（篇13 2 ¶3）。",
        permissions=["org.view_orgunit"],
    ),
    RoleSpec(
        "parent_approver", "上级单位审批人", "R27",
        "上级单位（如中煤龙化公司）在本单位流程中的审批环节（GOV-14）。",
        permissions=["org.view_orgunit", *PROCUREMENT_VIEW],
    ),
    RoleSpec(
        "auditor", "审计", "—",
        "只读：查看全部记录与变更日志（AUD）。",
        permissions=["*.view_*", "core.view_changelogentry"],
    ),
]

#: Regulation terms → role codes (GOV-11, §25.2). Seeded when missing; administrators edit them.
ALIAS_CATALOGUE: list[tuple[str, str, str]] = [
    ("信息化建设工作领导小组", "steering_member", "篇2 第三条"),
    ("领导小组", "steering_member", "篇2 第三条; 篇8 二(1)"),
    ("信息化管理小组", "steering_member", "篇14/5 第五条"),
    ("总经理", "general_manager", "篇14/5 第十四条"),
    ("公司高层领导", "general_manager", "篇4 第九章(3)"),
    ("厂领导", "general_manager", "篇6 第三条(12)"),
    ("综合管理部主管领导", "it_leader", "篇1 第六条, 第九条(2)"),
    ("主管领导", "it_leader", "篇14/5 第十八条; 篇4 第七章(3)"),
    ("公司主管领导", "it_leader", "篇14/5 第十八条"),
    ("主管院领导", "it_leader", "篇2 第九条"),
    ("分管校级领导", "it_leader", "篇12"),
    ("财务总监", "cfo", "篇1 第九条(2)"),
    ("财务", "finance", "篇2 第九条"),
    ("财务处", "finance", "篇6 第三条(24)"),
    ("信息中心主任", "it_authority_head", "篇6 第三条(12)"),
    ("信息技术专用室负责人", "it_authority_head", "篇12"),
    ("信息技术负责人", "it_authority_head", "篇12"),
    ("综合管理部", "it_staff", "篇1 passim (IT authority unit)"),
    ("办公室", "it_staff", "篇14/5 passim (IT authority unit)"),
    ("公司办公室", "it_staff", "篇14/5 (IT authority unit)"),
    ("网络信息中心", "it_staff", "篇2 第四条 (IT authority unit)"),
    ("信息技术部", "it_staff", "篇4 passim (IT authority unit)"),
    ("信息中心", "it_staff", "篇6 第三条 (IT authority unit)"),
    ("局办公室", "it_staff", "篇9 第二条 (IT authority unit)"),
    ("信息化职能部门", "it_staff", "篇10 passim (IT authority unit)"),
    ("IT人员", "it_staff", "篇6 第三条(19)"),
    ("网络管理岗", "it_staff", "篇4 第五条 (R06a)"),
    ("系统管理人员", "it_staff", "篇4 第八章 (R06b)"),
    ("信息管理人员", "it_staff", "篇10 第四章第二条 (R06f)"),
    ("部门负责人", "dept_head", "篇1 第三十三条"),
    ("部门经理", "dept_head", "篇1 第三十三条; 篇4 第六章"),
    ("部门主要负责人", "dept_head", "篇2 第五条 (第一责任人)"),
    ("信息员", "dept_it_officer", "篇2 第五条"),
    ("信息化管理员", "dept_it_officer", "篇9 第八条"),
    ("员工", "employee", "passim"),
    ("使用人员", "employee", "passim"),
    ("教职工", "employee", "passim"),
    ("人事部", "hr", "篇4 第十三章(4)"),
    ("人事部门", "hr", "篇10 第四章第二条"),
    ("人力资源", "hr", "篇1 第十八条(3)"),
    ("耗材管理人员", "consumables_keeper", "篇14 第十九条 ¶2"),
    ("电教管理教师", "lab_manager", "篇12 电教管理教师"),
    ("网络教室管理教师", "lab_manager", "篇12 网络教室管理教师"),
    ("计算机室管理员", "lab_manager", "篇12 网络教室管理教师(13)"),
    ("数据保管员", "data_custodian", "篇13 2 ¶3"),
    ("中煤龙化公司", "parent_approver", "篇14/5 第九条; 篇14 第二十条"),
    ("上级单位", "parent_approver", "篇1 第二十八条"),
    ("上级机关", "parent_approver", "篇9 第一条"),
]

_EXTRA_PERMISSIONS: dict[str, list[str]] = {}


def extend_role_permissions(role_code: str, patterns: list[str]) -> None:
    """Add permission patterns to a built-in role (call from an app's AppConfig.ready())."""
    known = _EXTRA_PERMISSIONS.setdefault(role_code, [])
    known.extend(p for p in patterns if p not in known)


def role_spec(code: str) -> RoleSpec | None:
    return next((s for s in ROLE_CATALOGUE if s.code == code), None)


def patterns_for(spec: RoleSpec) -> list[str]:
    return [*spec.permissions, *_EXTRA_PERMISSIONS.get(spec.code, [])]


def resolve_permissions(patterns: list[str], *, candidates=None) -> list[Permission]:
    """The permissions matching "app_label.codename-glob" patterns ("*" works for the app too)."""
    perms = list(candidates) if candidates is not None else list(
        Permission.objects.select_related("content_type").order_by("content_type__app_label", "codename")
    )
    result = []
    for perm in perms:
        full = f"{perm.content_type.app_label}.{perm.codename}"
        if any(fnmatch.fnmatchcase(full, p) for p in patterns):
            result.append(perm)
    return result


#: Apps whose permissions the auditor's "*.view_*" covers: Django's own bookkeeping is excluded.
AUDITOR_EXCLUDED_APPS = {"admin", "sessions", "contenttypes", "authtoken", "axes", "otp_totp",
                         "django_tasks_db", "auth"}


@transaction.atomic
def seed_roles(*, reset_permissions: bool = False) -> dict[str, int]:
    """Create or update the built-in roles and their aliases; idempotent.

    Permissions are added (never removed) unless `reset_permissions`, so what an
    administrator granted on top of the defaults stays. Existing aliases keep the role an
    administrator mapped them to.
    """
    from .models import Role, RoleAlias

    all_perms = list(Permission.objects.select_related("content_type"))
    stats = {"roles_created": 0, "roles_updated": 0, "permissions_added": 0, "aliases_created": 0}
    roles = {}
    for spec in ROLE_CATALOGUE:
        role = Role.objects.filter(code=spec.code).first()
        if role is None:
            role = Role(code=spec.code)
            stats["roles_created"] += 1
        changed = role.pk is None or not role.is_builtin
        for attr in ("name", "generic_code", "description", "default_scope"):
            if role.pk is None or not getattr(role, attr):
                setattr(role, attr, getattr(spec, attr))
                changed = True
        role.is_builtin = True
        if changed:
            if role.pk is not None:
                stats["roles_updated"] += 1
            role.save()
        roles[spec.code] = role
        candidates = all_perms
        if spec.code == "auditor":
            candidates = [p for p in all_perms if p.content_type.app_label not in AUDITOR_EXCLUDED_APPS]
        wanted = {p.pk for p in resolve_permissions(patterns_for(spec), candidates=candidates)}
        current = set(role.permissions.values_list("pk", flat=True))
        if reset_permissions and current - wanted:
            role.permissions.remove(*(current - wanted))
        if wanted - current:
            role.permissions.add(*(wanted - current))
            stats["permissions_added"] += len(wanted - current)
    existing_terms = set(RoleAlias.objects.values_list("term", flat=True))
    for term, code, note in ALIAS_CATALOGUE:
        if term not in existing_terms and code in roles:
            RoleAlias.objects.create(term=term, role=roles[code], note=note)
            stats["aliases_created"] += 1
    return stats
