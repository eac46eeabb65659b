"""Excel/CSV import of the org chart and the staff list (issue #2 §2), on `zhidu.core.imports`.

Units are matched on their code, people on their employee number: an existing record is
updated (only the columns present and non-empty), a new one is created. Every row goes
through `org.services`, so the change log records it with source "import", transfers and
status changes land on the person's timeline, and the same rules apply as in the UI.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.imports import Action, Column, Importer, Row, parse_bool, parse_choice, parse_date, parse_int

from . import selectors, services
from .choices import EmploymentStatus, UnitKind
from .models import OrgUnit, Person, Position

UNIT_KIND_SYNONYMS = {
    "总公司": UnitKind.GROUP, "集团": UnitKind.GROUP, "公司": UnitKind.COMPANY, "分公司": UnitKind.BRANCH,
    "分支机构": UnitKind.BRANCH, "二级公司": UnitKind.SUBSIDIARY, "子公司": UnitKind.SUBSIDIARY,
    "上级单位": UnitKind.PARENT, "部门": UnitKind.DEPARTMENT, "部室": UnitKind.DEPARTMENT, "处室": UnitKind.DEPARTMENT,
    "车间": UnitKind.DEPARTMENT, "科室": UnitKind.SECTION, "小组": UnitKind.SECTION, "班组": UnitKind.SECTION,
    "学校": UnitKind.SCHOOL, "年级": UnitKind.GRADE, "班级": UnitKind.CLASS, "实验室": UnitKind.LAB,
    "专用教室": UnitKind.LAB, "领导小组": UnitKind.GROUP_BODY, "委员会": UnitKind.GROUP_BODY,
}

STATUS_SYNONYMS = {
    "在职": EmploymentStatus.ACTIVE, "在岗": EmploymentStatus.ACTIVE, "正式": EmploymentStatus.ACTIVE,
    "试用": EmploymentStatus.ACTIVE, "试用期": EmploymentStatus.ACTIVE,
    "入职中": EmploymentStatus.ONBOARDING, "待入职": EmploymentStatus.ONBOARDING, "新入职": EmploymentStatus.ONBOARDING,
    "离职中": EmploymentStatus.LEAVING, "待离职": EmploymentStatus.LEAVING, "办理离职": EmploymentStatus.LEAVING,
    "离职": EmploymentStatus.LEFT, "已离职": EmploymentStatus.LEFT, "离司": EmploymentStatus.LEFT,
}


def _present(cleaned: dict, name: str) -> bool:
    return cleaned.get(name) not in (None, "")


class UnitImporter(Importer):
    """The org chart: one row per unit, parent by code, path or unique name."""

    key = "org-units"
    label = gettext_lazy("Org units")
    model = OrgUnit
    match_field = "code"
    columns = [
        Column("code", gettext_lazy("Unit code"), aliases=("编码", "部门编码", "单位编码", "代码", "机构编码", "code"),
               required=True, help=gettext_lazy("Unique code of the unit; an existing code updates that unit."),
               example="XXZX"),
        Column("name", gettext_lazy("Unit name"), aliases=("名称", "部门名称", "单位名称", "机构名称", "部门", "name"),
               required=True, help=gettext_lazy("Name of the unit."), example="信息中心"),
        Column("parent", gettext_lazy("Parent unit"),
               aliases=("上级", "上级部门", "上级单位", "上级编码", "上级部门编码", "所属单位", "parent"),
               help=gettext_lazy("Code, unique name or path (总部/综合管理部) of the parent; may be a unit "
                                 "of this file. Empty: a top-level unit."),
               example="ZHGLB"),
        Column("kind", gettext_lazy("Unit type"), aliases=("类型", "单位类型", "部门类型", "kind"),
               help=gettext_lazy("Unit type: 公司, 分公司, 部门, 科室 … (default: 部门)."), example="科室",
               choices=("公司", "分公司", "二级公司", "上级单位", "部门", "科室", "学校", "年级", "班级", "实验室", "领导小组")),
        Column("is_it_authority", gettext_lazy("IT authority"),
               aliases=("信息化主管部门", "IT主管部门", "信息化职能部门", "is_it_authority"),
               help=gettext_lazy("Write 是 for the unit that runs IT management (GOV-07); only one unit is."),
               example="否", choices=("是", "否")),
        Column("sort_order", gettext_lazy("Order"), aliases=("排序", "顺序", "序号", "sort_order"),
               help=gettext_lazy("Order among sibling units (a whole number)."), example="10"),
    ]
    template_rows = [
        {"code": "HQ", "name": "华信科技有限公司", "parent": "", "kind": "公司", "is_it_authority": "否", "sort_order": "0"},
        {"code": "ZHGLB", "name": "综合管理部", "parent": "HQ", "kind": "部门", "is_it_authority": "是", "sort_order": "10"},
        {"code": "XXZX", "name": "信息中心", "parent": "ZHGLB", "kind": "科室", "is_it_authority": "否", "sort_order": "10"},
    ]

    def prepare(self, rows: list[Row]) -> None:
        self.index = selectors.UnitIndex()
        self.file_codes = {r.raw.get("code", "").strip().casefold(): r for r in rows if r.raw.get("code")}
        self.file_names: dict[str, list[Row]] = {}
        for r in rows:
            if r.raw.get("name"):
                self.file_names.setdefault(r.raw["name"].strip(), []).append(r)

    def clean(self, raw, row):
        cleaned = {"code": raw.get("code", "").strip(), "name": raw.get("name", "").strip()}
        cleaned["parent"] = raw.get("parent", "").strip()
        if raw.get("kind"):
            try:
                cleaned["kind"] = parse_choice(raw["kind"], UnitKind.choices, synonyms=UNIT_KIND_SYNONYMS)
            except ValueError as exc:
                row.error("kind", exc)
        if raw.get("is_it_authority", "").strip():
            try:
                cleaned["is_it_authority"] = parse_bool(raw["is_it_authority"])
            except ValueError as exc:
                row.error("is_it_authority", exc)
        try:
            cleaned["sort_order"] = parse_int(raw.get("sort_order", ""))
            if cleaned["sort_order"] is not None and cleaned["sort_order"] < 0:
                row.error("sort_order", _("The order cannot be negative."))
        except ValueError as exc:
            row.error("sort_order", exc)
        if cleaned["parent"] and cleaned["parent"].casefold() == cleaned["code"].casefold():
            row.error("parent", _("A unit cannot be its own parent."))
        return cleaned

    def dependency(self, cleaned, keys_in_file):
        parent = cleaned.get("parent", "")
        if not parent:
            return None
        by_code = self.file_codes.get(parent.casefold())
        if by_code is not None:
            return by_code.raw["code"].strip()
        last = parent.replace("\\", "/").strip("/").split("/")[-1]
        named = self.file_names.get(last, [])
        if len(named) == 1 and not self._resolvable_in_db(parent):
            return named[0].raw["code"].strip()
        return None

    def _resolvable_in_db(self, text: str) -> bool:
        try:
            self.index.resolve(text)
        except ValueError:
            return False
        return True

    def find(self, cleaned):
        unit = self.index.by_code.get(cleaned["code"].casefold())
        return OrgUnit.objects.filter(pk=unit.pk).first() if unit else None

    def _resolve_parent(self, cleaned, row):
        if not cleaned.get("parent"):
            return None
        try:
            return self.index.resolve(cleaned["parent"])
        except ValueError as exc:
            row.error("parent", exc)
            return None

    def save(self, cleaned, existing, row):
        from .selectors import can_act_in_unit

        parent = self._resolve_parent(cleaned, row)
        if not row.ok:
            return Action.ERROR, None
        if existing is None:
            if not can_act_in_unit(self.user, "org.add_orgunit", parent):
                row.error("parent", _("You may not add units under %(unit)s.") % {"unit": parent or _("the top level")})
                return Action.ERROR, None
            unit = services.create_unit(
                code=cleaned["code"], name=cleaned["name"], parent=parent, kind=cleaned.get("kind") or UnitKind.DEPARTMENT,
                is_it_authority=bool(cleaned.get("is_it_authority")), sort_order=cleaned.get("sort_order") or 0,
                actor=self.user,
            )
            self.index.add(unit)
            return Action.CREATED, unit
        if not OrgUnit.objects.restrict(self.user, "change").filter(pk=existing.pk).exists():
            row.error("code", _("You may not change the unit %(unit)s.") % {"unit": existing})
            return Action.ERROR, None
        changes = {}
        if cleaned["name"] != existing.name:
            changes["name"] = cleaned["name"]
        if cleaned.get("parent") and (parent.pk if parent else None) != existing.parent_id:
            if not can_act_in_unit(self.user, "org.add_orgunit", parent):
                row.error("parent", _("You may not move units under %(unit)s.") % {"unit": parent})
                return Action.ERROR, None
            changes["parent"] = parent
        for name in ("kind", "is_it_authority", "sort_order"):
            if _present(cleaned, name) and cleaned[name] != getattr(existing, name):
                changes[name] = cleaned[name]
        if not changes:
            return Action.UNCHANGED, existing
        unit = services.update_unit(unit=existing, actor=self.user, **changes)
        unit.refresh_from_db()
        self.index.add(unit)
        return Action.UPDATED, unit


class PersonImporter(Importer):
    """The staff list: one row per person, matched on the employee number."""

    key = "org-people"
    label = gettext_lazy("People")
    model = Person
    match_field = "employee_no"
    columns = [
        Column("employee_no", gettext_lazy("Employee number"),
               aliases=("工号", "员工编号", "员工工号", "职工号", "职工编号", "人员编号", "编号", "employee_no"),
               required=True, help=gettext_lazy("Unique; an existing number updates that person."), example="HX0101"),
        Column("name", gettext_lazy("Full name"), aliases=("姓名", "员工姓名", "名字", "name"), required_new=True,
               help=gettext_lazy("Full name."), example="张伟"),
        Column("department", gettext_lazy("Department"),
               aliases=("部门", "所属部门", "部门名称", "部门路径", "部门编码", "department"), required_new=True,
               help=gettext_lazy("Code, unique name or path of the unit (总部/信息中心)."), example="综合管理部/信息中心"),
        Column("position", gettext_lazy("Position"), aliases=("岗位", "职位", "岗位名称", "position"),
               help=gettext_lazy("Post (岗位); a new post name is added to the list of positions."), example="网络管理岗"),
        Column("title", gettext_lazy("Job title"), aliases=("职务", "职称", "头衔", "title"),
               help=gettext_lazy("Job title, e.g. 主任, 工程师."), example="工程师"),
        Column("manager", gettext_lazy("Line manager"),
               aliases=("上级", "直属上级", "直接上级", "上级工号", "直属上级工号", "汇报对象", "manager"),
               help=gettext_lazy("Employee number of the line manager (may be a person of this file)."),
               example="HX0100"),
        Column("status", gettext_lazy("Employment status"), aliases=("状态", "在职状态", "员工状态", "人员状态", "status"),
               help=gettext_lazy("Employment status: 在职, 入职中, 离职中, 离职 (default: 在职)."), example="在职",
               choices=("在职", "入职中", "离职中", "离职")),
        Column("hire_date", gettext_lazy("Hire date"), aliases=("入职日期", "入职时间", "hire_date"),
               help=gettext_lazy("Date, e.g. 2024-03-01."), example="2024-03-01"),
        Column("leave_date", gettext_lazy("Leave date"), aliases=("离职日期", "离职时间", "leave_date"),
               help=gettext_lazy("Date of leaving, for status 离职."), example=""),
        Column("email", gettext_lazy("Email"), aliases=("邮箱", "电子邮箱", "电子邮件", "email"),
               help=gettext_lazy("Work email."), example="zhangwei@example.com"),
        Column("phone", gettext_lazy("Phone"), aliases=("电话", "手机", "手机号", "联系电话", "phone"),
               help=gettext_lazy("Phone number."), example="13800000000"),
        Column("username", gettext_lazy("Login name"), aliases=("登录名", "用户名", "账号", "帐号", "username"),
               help=gettext_lazy("Creates a login for a person who has none (no password until one is set)."),
               example="zhangwei"),
    ]
    template_rows = [
        {"employee_no": "HX0100", "name": "王建国", "department": "综合管理部", "position": "", "title": "部门经理",
         "manager": "", "status": "在职", "hire_date": "2015-07-01"},
        {"employee_no": "HX0101", "name": "张伟", "department": "综合管理部/信息中心", "position": "网络管理岗",
         "title": "工程师", "manager": "HX0100", "status": "在职", "hire_date": "2019-03-01",
         "email": "zhangwei@example.com", "phone": "13800000000", "username": "zhangwei"},
    ]

    def prepare(self, rows):
        self.index = selectors.UnitIndex()
        self.positions = {p.name: p for p in Position.objects.all()}
        self.file_numbers = {r.raw.get("employee_no", "").strip() for r in rows}

    def clean(self, raw, row):
        cleaned = {k: (raw.get(k) or "").strip() for k in
                   ("employee_no", "name", "department", "position", "title", "manager", "email", "phone", "username")}
        if cleaned["department"]:
            try:
                cleaned["department_unit"] = self.index.resolve(cleaned["department"])
            except ValueError as exc:
                row.error("department", exc)
        if raw.get("status", "").strip():
            try:
                cleaned["status"] = parse_choice(raw["status"], EmploymentStatus.choices, synonyms=STATUS_SYNONYMS)
            except ValueError as exc:
                row.error("status", exc)
        for name in ("hire_date", "leave_date"):
            try:
                cleaned[name] = parse_date(raw.get(name, ""))
            except ValueError as exc:
                row.error(name, exc)
        if cleaned.get("hire_date") and cleaned.get("leave_date") and cleaned["leave_date"] < cleaned["hire_date"]:
            row.error("leave_date", _("The leave date must not be before the hire date."))
        if cleaned["email"] and "@" not in cleaned["email"]:
            row.error("email", _("“%(value)s” is not an email address.") % {"value": cleaned["email"]})
        if cleaned["manager"] and cleaned["manager"] == cleaned["employee_no"]:
            row.error("manager", _("A person cannot be their own line manager."))
        elif cleaned["manager"] and cleaned["manager"] not in self.file_numbers and not Person.objects.filter(
            employee_no=cleaned["manager"]
        ).exists():
            row.error("manager", _("No person with employee number %(no)s.") % {"no": cleaned["manager"]})
        return cleaned

    def dependency(self, cleaned, keys_in_file):
        manager = cleaned.get("manager")
        return manager if manager and manager in keys_in_file else None

    def find(self, cleaned):
        return Person.objects.select_related("department", "user").filter(employee_no=cleaned["employee_no"]).first()

    def _position(self, name: str, row):
        if not name:
            return None
        position = self.positions.get(name)
        if position is None:
            position = services.create_position(name=name, actor=self.user)
            self.positions[name] = position
            row.note(_("New position “%(name)s” added.") % {"name": name})
        return position

    def save(self, cleaned, existing, row):
        from .selectors import can_act_in_unit

        department = cleaned.get("department_unit")
        manager = Person.objects.filter(employee_no=cleaned["manager"]).first() if cleaned["manager"] else None
        if cleaned["manager"] and manager is None:
            row.error("manager", _("No person with employee number %(no)s.") % {"no": cleaned["manager"]})
            return Action.ERROR, None
        if existing is None:
            if not can_act_in_unit(self.user, "org.add_person", department):
                row.error("department", _("You may not add people to %(unit)s.") % {"unit": department})
                return Action.ERROR, None
            person = services.create_person(
                employee_no=cleaned["employee_no"], name=cleaned["name"], department=department,
                position=self._position(cleaned["position"], row), title=cleaned["title"], manager=manager,
                status=cleaned.get("status") or EmploymentStatus.ACTIVE, email=cleaned["email"], phone=cleaned["phone"],
                hire_date=cleaned.get("hire_date"), leave_date=cleaned.get("leave_date"), actor=self.user,
            )
            self._login(person, cleaned, row)
            return Action.CREATED, person
        if not Person.objects.restrict(self.user, "change").filter(pk=existing.pk).exists():
            row.error("employee_no", _("You may not change the person with employee number %(no)s.")
                      % {"no": existing.employee_no})
            return Action.ERROR, None
        changes = {}
        for name in ("name", "title", "email", "phone"):
            if cleaned[name] and cleaned[name] != getattr(existing, name):
                changes[name] = cleaned[name]
        if cleaned["position"] and (existing.position is None or existing.position.name != cleaned["position"]):
            changes["position"] = self._position(cleaned["position"], row)
        if manager is not None and manager.pk != existing.manager_id:
            changes["manager"] = manager
        if cleaned.get("hire_date") and cleaned["hire_date"] != existing.hire_date:
            changes["hire_date"] = cleaned["hire_date"]
        if department is not None and department.pk != existing.department_id:
            if not can_act_in_unit(self.user, "org.change_person", department):
                row.error("department", _("You may not move people to %(unit)s.") % {"unit": department})
                return Action.ERROR, None
            changes["department"] = department
        if cleaned.get("status") and cleaned["status"] != existing.status:
            changes["status"] = cleaned["status"]
            if cleaned.get("leave_date"):
                changes["effective_date"] = cleaned["leave_date"]
        elif cleaned.get("leave_date") and cleaned["leave_date"] != existing.leave_date:
            changes["leave_date"] = cleaned["leave_date"]
        login_created = self._login(existing, cleaned, row)
        if not changes:
            return (Action.UPDATED if login_created else Action.UNCHANGED), existing
        person = services.update_person(person=existing, actor=self.user, **changes)
        return Action.UPDATED, person

    def _login(self, person, cleaned, row) -> bool:
        username = cleaned.get("username")
        if not username:
            return False
        if person.user_id:
            if person.user.get_username() != username:
                row.note(_("Has the login %(username)s already; the login name of the file is ignored.")
                         % {"username": person.user.get_username()})
            return False
        services.create_login(person=person, username=username, actor=self.user)
        row.note(_("Login %(username)s created.") % {"username": username})
        return True
