"""The demo organisation 华信科技有限公司 (issue #2 §6): units, ~40 people, every role filled,
a login for everyone (password `zhidu.core.demo.DEMO_PASSWORD`, usernames in pinyin).

`load()` is idempotent and deterministic: every unit, person, login and assignment is looked
up by its code / employee number / username first and created through `org.services` only
when missing, so running it again changes nothing. It returns a `DemoOrg` that the demo
loaders of other apps receive (`zhidu/<app>/demo.py: load(org)`, see zhidu.core.demo_data).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from zhidu.core.demo import DEMO_PASSWORD

from . import services
from .choices import EmploymentStatus, UnitKind
from .models import OrgUnit, Person, Position, Role, RoleAssignment

COMPANY_CODE = "HX"

# code, name, parent code, kind, is_it_authority
UNITS: list[tuple[str, str, str | None, str, bool]] = [
    ("HXJT", "华信控股集团", None, UnitKind.PARENT, False),
    ("HX", "华信科技有限公司", None, UnitKind.COMPANY, False),
    ("LD", "公司领导", "HX", UnitKind.SECTION, False),
    ("ZHGLB", "综合管理部", "HX", UnitKind.DEPARTMENT, True),
    ("XXZX", "信息中心", "ZHGLB", UnitKind.SECTION, False),
    ("CWB", "财务部", "HX", UnitKind.DEPARTMENT, False),
    ("RSB", "人事部", "HX", UnitKind.DEPARTMENT, False),
    ("SCB", "市场部", "HX", UnitKind.DEPARTMENT, False),
    ("XSB", "销售部", "HX", UnitKind.DEPARTMENT, False),
    ("XSB-HD", "华东区", "XSB", UnitKind.SECTION, False),
    ("XSB-HB", "华北区", "XSB", UnitKind.SECTION, False),
    ("YFZX", "研发中心", "HX", UnitKind.DEPARTMENT, False),
    ("RJ1", "软件一部", "YFZX", UnitKind.DEPARTMENT, False),
    ("RJ2", "软件二部", "YFZX", UnitKind.DEPARTMENT, False),
    ("SCZ", "生产部", "HX", UnitKind.DEPARTMENT, False),
    ("CGB", "采购部", "HX", UnitKind.DEPARTMENT, False),
    ("XZB", "行政部", "HX", UnitKind.DEPARTMENT, False),
    ("BJ", "北京分公司", "HX", UnitKind.BRANCH, False),
]

POSITIONS: list[tuple[str, str]] = [
    ("网络管理岗", "硬件和软件的日常检查与维护，处理一般故障（篇4 第五条）。"),
    ("系统管理岗", "服务器、数据库与备份的管理（篇4 第八章）。"),
    ("运维服务岗", "桌面支持、报修受理与耗材发放。"),
    ("软件开发岗", "业务系统与 OA 的日常维护和一般功能开发（篇4 第五条）。"),
    ("网络维护人员", "分支机构的网络维护（篇4 第四条）。"),
    ("部门经理", "部门负责人，部门信息化工作第一责任人（篇2 第五条）。"),
    ("财务岗", "会计、出纳与报销审核。"),
    ("人事岗", "入职、调动、离职办理。"),
    ("销售岗", "客户开发与销售。"),
    ("研发岗", "软件研发与测试。"),
    ("生产岗", "生产计划与统计。"),
    ("采购岗", "供应商比价与采购执行。"),
    ("行政岗", "行政事务与后勤。"),
    ("审计岗", "内部审计与合规检查。"),
]

# employee no, name, username, unit code, position, title, manager employee no, status, hire date
PEOPLE: list[tuple[str, str, str, str, str, str, str | None, str, str]] = [
    ("HX0001", "陈建华", "chenjianhua", "LD", "", "总经理", None, "active", "2008-03-01"),
    ("HX0002", "刘志强", "liuzhiqiang", "LD", "", "副总经理（分管综合管理部）", "HX0001", "active", "2010-07-01"),
    ("HX0003", "赵丽华", "zhaolihua", "LD", "", "财务总监", "HX0001", "active", "2011-04-15"),
    ("HX0101", "王建国", "wangjianguo", "ZHGLB", "部门经理", "综合管理部经理", "HX0002", "active", "2012-09-01"),
    ("HX0102", "孙丽", "sunli", "ZHGLB", "运维服务岗", "综合管理专员", "HX0101", "active", "2016-03-01"),
    ("HX0111", "张伟", "zhangwei", "XXZX", "网络管理岗", "信息中心主任", "HX0101", "active", "2014-06-01"),
    ("HX0112", "李强", "liqiang", "XXZX", "系统管理岗", "系统管理员", "HX0111", "active", "2017-08-01"),
    ("HX0113", "周敏", "zhoumin", "XXZX", "运维服务岗", "运维工程师", "HX0111", "active", "2020-02-17"),
    ("HX0201", "吴刚", "wugang", "CWB", "部门经理", "财务部经理", "HX0003", "active", "2013-05-01"),
    ("HX0202", "郑秀英", "zhengxiuying", "CWB", "财务岗", "会计", "HX0201", "active", "2015-10-08"),
    ("HX0203", "冯静", "fengjing", "CWB", "财务岗", "出纳", "HX0201", "active", "2019-07-01"),
    ("HX0204", "钱莉", "qianli", "CWB", "审计岗", "内审专员", "HX0201", "active", "2018-11-01"),
    ("HX0301", "黄磊", "huanglei", "RSB", "部门经理", "人事部经理", "HX0001", "active", "2012-02-20"),
    ("HX0302", "林芳", "linfang", "RSB", "人事岗", "人事专员", "HX0301", "active", "2018-04-02"),
    ("HX0401", "何涛", "hetao", "SCB", "部门经理", "市场部经理", "HX0001", "active", "2014-01-06"),
    ("HX0402", "高敏", "gaomin", "SCB", "销售岗", "市场专员", "HX0401", "active", "2019-03-11"),
    ("HX0403", "罗婷", "luoting", "SCB", "销售岗", "市场专员", "HX0401", "active", "2021-06-01"),
    ("HX0404", "秦月", "qinyue", "SCB", "销售岗", "市场专员", "HX0401", "onboarding", "2026-03-02"),
    ("HX0501", "马超", "machao", "XSB", "部门经理", "销售部经理", "HX0001", "active", "2013-08-01"),
    ("HX0502", "梁燕", "liangyan", "XSB", "销售岗", "销售助理", "HX0501", "active", "2017-05-02"),
    ("HX0511", "宋杰", "songjie", "XSB-HD", "销售岗", "华东区经理", "HX0501", "active", "2015-09-01"),
    ("HX0512", "唐磊", "tanglei", "XSB-HD", "销售岗", "销售代表", "HX0511", "active", "2020-07-06"),
    ("HX0521", "韩雪", "hanxue", "XSB-HB", "销售岗", "华北区经理", "HX0501", "active", "2016-04-05"),
    ("HX0522", "曹阳", "caoyang", "XSB-HB", "销售岗", "销售代表", "HX0521", "active", "2022-03-01"),
    ("HX0523", "武军", "wujun", "XSB-HB", "销售岗", "销售代表", "HX0521", "left", "2019-09-02"),
    ("HX0601", "许斌", "xubin", "YFZX", "部门经理", "研发中心总监", "HX0001", "active", "2011-11-01"),
    ("HX0602", "邓丽", "dengli", "YFZX", "研发岗", "研发助理", "HX0601", "active", "2018-08-20"),
    ("HX0611", "彭勇", "pengyong", "RJ1", "部门经理", "软件一部经理", "HX0601", "active", "2014-03-03"),
    ("HX0612", "曾晓", "zengxiao", "RJ1", "软件开发岗", "开发工程师", "HX0611", "active", "2019-07-15"),
    ("HX0613", "谢鹏", "xiepeng", "RJ1", "软件开发岗", "开发工程师", "HX0611", "active", "2021-07-12"),
    ("HX0621", "萧然", "xiaoran", "RJ2", "部门经理", "软件二部经理", "HX0601", "active", "2015-05-18"),
    ("HX0622", "潘婷", "panting", "RJ2", "研发岗", "测试工程师", "HX0621", "active", "2020-09-01"),
    ("HX0623", "袁浩", "yuanhao", "RJ2", "软件开发岗", "开发工程师", "HX0621", "active", "2023-02-20"),
    ("HX0701", "蒋华", "jianghua", "SCZ", "部门经理", "生产部经理", "HX0001", "active", "2010-04-01"),
    ("HX0702", "蔡明", "caiming", "SCZ", "生产岗", "生产统计员", "HX0701", "active", "2017-03-20"),
    ("HX0703", "贾亮", "jialiang", "SCZ", "生产岗", "车间主任", "HX0701", "active", "2012-06-11"),
    ("HX0704", "陆平", "luping", "SCZ", "生产岗", "计划员", "HX0701", "leaving", "2016-10-10"),
    ("HX0801", "丁宁", "dingning", "CGB", "部门经理", "采购部经理", "HX0002", "active", "2013-12-02"),
    ("HX0802", "魏霞", "weixia", "CGB", "采购岗", "采购专员", "HX0801", "active", "2019-01-07"),
    ("HX0901", "薛梅", "xuemei", "XZB", "部门经理", "行政部经理", "HX0002", "active", "2012-10-15"),
    ("HX0902", "叶青", "yeqing", "XZB", "行政岗", "行政专员", "HX0901", "active", "2020-05-06"),
    ("HX1001", "阎伟", "yanwei", "BJ", "部门经理", "北京分公司总经理", "HX0001", "active", "2014-08-01"),
    ("HX1002", "余洋", "yuyang", "BJ", "网络维护人员", "网络维护员", "HX1001", "active", "2021-04-12"),
    ("HX1003", "常悦", "changyue", "BJ", "销售岗", "客户经理", "HX1001", "active", "2022-08-15"),
    ("JT0001", "杜明", "dumin", "HXJT", "", "集团信息化审批人", None, "active", "2009-01-05"),
]

# role code, employee no, unit code (None: whole organisation), include sub-units
ASSIGNMENTS: list[tuple[str, str, str | None, bool]] = [
    ("general_manager", "HX0001", None, True),
    ("steering_member", "HX0001", None, True),
    ("it_leader", "HX0002", None, True),
    ("steering_member", "HX0002", None, True),
    ("cfo", "HX0003", None, True),
    ("steering_member", "HX0003", None, True),
    ("it_authority_head", "HX0101", None, True),
    ("steering_member", "HX0101", None, True),
    ("it_staff", "HX0111", None, True),
    ("it_staff", "HX0112", None, True),
    ("it_staff", "HX0113", None, True),
    ("it_staff", "HX1002", "BJ", True),  # branch network maintainer (R06e): the branch only
    ("data_custodian", "HX0112", None, True),
    ("consumables_keeper", "HX0102", None, True),
    ("lab_manager", "HX0112", "XXZX", True),  # R19: keeps the multimedia meeting rooms' sub-ledger (demo_subledger)
    ("finance", "HX0202", None, True),
    ("finance", "HX0201", None, True),
    ("hr", "HX0301", None, True),
    ("hr", "HX0302", None, True),
    ("auditor", "HX0204", None, True),
    ("parent_approver", "JT0001", None, True),
    ("dept_head", "HX0101", "ZHGLB", True),
    ("dept_it_officer", "HX0102", "ZHGLB", True),
    ("dept_head", "HX0201", "CWB", True),
    ("dept_it_officer", "HX0202", "CWB", True),
    ("dept_head", "HX0301", "RSB", True),
    ("dept_it_officer", "HX0302", "RSB", True),
    ("dept_head", "HX0401", "SCB", True),
    ("dept_it_officer", "HX0402", "SCB", True),
    ("dept_head", "HX0501", "XSB", True),
    ("dept_it_officer", "HX0502", "XSB", True),
    ("dept_head", "HX0511", "XSB-HD", True),
    ("dept_head", "HX0521", "XSB-HB", True),
    ("dept_head", "HX0601", "YFZX", True),
    ("dept_it_officer", "HX0602", "YFZX", True),
    ("dept_head", "HX0611", "RJ1", True),
    ("dept_it_officer", "HX0612", "RJ1", True),
    ("dept_head", "HX0621", "RJ2", True),
    ("dept_it_officer", "HX0622", "RJ2", True),
    ("dept_head", "HX0701", "SCZ", True),
    ("dept_it_officer", "HX0702", "SCZ", True),
    ("dept_head", "HX0801", "CGB", True),
    ("dept_it_officer", "HX0802", "CGB", True),
    ("dept_head", "HX0901", "XZB", True),
    ("dept_it_officer", "HX0902", "XZB", True),
    ("dept_head", "HX1001", "BJ", True),
]


@dataclass
class DemoOrg:
    """What the org demo built, handed to the demo loaders of other apps."""

    company: OrgUnit
    it_authority: OrgUnit
    units: dict[str, OrgUnit] = field(default_factory=dict)  # by code
    people: dict[str, Person] = field(default_factory=dict)  # by username
    created: bool = False

    def unit(self, code: str) -> OrgUnit:
        return self.units[code]

    def person(self, username: str) -> Person:
        return self.people[username]

    def user(self, username: str):
        return self.people[username].user


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def load() -> DemoOrg:
    """Create what is missing of the demo organisation; return it (see the module docstring)."""
    created = False
    units: dict[str, OrgUnit] = {u.code: u for u in OrgUnit.objects.filter(code__in=[c for c, *_ in UNITS])}
    for order, (code, name, parent_code, kind, it_authority) in enumerate(UNITS):
        if code not in units:
            units[code] = services.create_unit(
                code=code, name=name, parent=units[parent_code] if parent_code else None, kind=kind,
                is_it_authority=it_authority, sort_order=order * 10, actor=None,
            )
            created = True

    positions = {p.name: p for p in Position.objects.all()}
    for name, description in POSITIONS:
        if name not in positions:
            positions[name] = services.create_position(name=name, description=description, actor=None)
            created = True

    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: demo logins share it
    people: dict[str, Person] = {
        p.employee_no: p for p in Person.objects.filter(employee_no__in=[row[0] for row in PEOPLE]).select_related("user")
    }
    by_username: dict[str, Person] = {}
    for employee_no, name, username, unit_code, position, title, manager_no, status, hired in PEOPLE:
        person = people.get(employee_no)
        if person is None:
            final_status = status
            person = services.create_person(
                employee_no=employee_no, name=name, department=units[unit_code],
                position=positions.get(position), title=title,
                manager=people.get(manager_no) if manager_no else None,
                status=EmploymentStatus.ACTIVE if final_status == "left" else final_status,
                email=f"{username}@huaxin.example.com", phone="", hire_date=_date(hired), actor=None,
            )
            created = True
            people[employee_no] = person
        if person.user_id is None:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(username=username, email=person.email, password=password,
                                           first_name=name[1:], last_name=name[:1])
            services.link_user(person=person, user=user, actor=None)
            person.refresh_from_db()
            created = True
        by_username[username] = person

    roles = {r.code: r for r in Role.objects.all()}
    existing = set(RoleAssignment.objects.filter(person__employee_no__in=people).values_list(
        "role__code", "person__employee_no", "unit__code"))
    for role_code, employee_no, unit_code, subtree in ASSIGNMENTS:
        if role_code not in roles or (role_code, employee_no, unit_code) in existing:
            continue
        services.assign_role(person=people[employee_no], role=roles[role_code],
                             unit=units[unit_code] if unit_code else None, include_subtree=subtree, actor=None)
        created = True

    # Lifecycle after the roles: a leaver's timeline shows hire → left, and leavers' logins close.
    for employee_no, *_rest in PEOPLE:
        status = _rest[6]
        person = Person.objects.get(pk=people[employee_no].pk)
        if status == "left" and person.status != EmploymentStatus.LEFT:
            services.change_status(person=person, status=EmploymentStatus.LEFT, date=datetime.date(2025, 12, 31),
                                   note="合同到期", actor=None)
            created = True

    for username, person in list(by_username.items()):
        by_username[username] = Person.objects.select_related("department", "user").get(pk=person.pk)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=units)}
    return DemoOrg(company=units[COMPANY_CODE], it_authority=units["ZHGLB"], units=units, people=by_username,
                   created=created)
