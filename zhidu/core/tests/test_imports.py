"""The generic importer (zhidu.core.imports) with the org importers: real .xlsx files made with
openpyxl and real CSV bytes in UTF-8 (with and without BOM) and GBK, including bad rows."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook, load_workbook

from zhidu.core.imports import (
    Action,
    ImportMode,
    build_template,
    decode_csv,
    parse_date,
    read_table,
    run_import,
)
from zhidu.core.models import ChangeLogEntry, TimelineEvent
from zhidu.org import services
from zhidu.org.choices import EmploymentStatus, UnitKind
from zhidu.org.imports import PersonImporter, UnitImporter
from zhidu.org.models import OrgUnit, Person, Position
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")


@pytest.fixture
def company(db):
    seed_roles()
    root = services.create_unit(name="华信科技有限公司", code="HQ", kind=UnitKind.COMPANY, actor=None)
    zh = services.create_unit(name="综合管理部", code="ZHGLB", parent=root, actor=None)
    services.create_unit(name="信息中心", code="XXZX", parent=zh, kind=UnitKind.SECTION, actor=None)
    services.create_unit(name="财务部", code="CWB", parent=root, actor=None)
    return root


UNIT_ROWS = [
    ["部门编码", "部门名称", "上级部门", "类型", "信息化主管部门", "排序"],
    ["SCB", "市场部", "HQ", "部门", "否", "30"],
    ["HD", "华东区", "XSB", "科室", "", ""],  # parent defined two rows below
    ["XSB", "销售部", "华信科技有限公司", "部门", "否", "40"],
    ["YF", "研发中心", "HQ", "", "", ""],
]

PEOPLE_HEADER = ["工号", "姓名", "部门", "岗位", "直属上级", "状态", "入职日期", "邮箱"]


class TestReading:
    def test_csv_encodings_are_detected(self):
        rows = [["工号", "姓名"], ["1", "张伟"]]
        for data in (csv_bytes(rows), csv_bytes(rows, bom=True), csv_bytes(rows, "gbk"), csv_bytes(rows, "gb18030")):
            assert read_table(data, "staff.csv") == [["工号", "姓名"], ["1", "张伟"]]

    def test_semicolon_and_tab_delimiters(self):
        assert read_table("工号;姓名\n1;张伟\n".encode(), "a.csv")[1] == ["1", "张伟"]
        assert read_table("工号\t姓名\n1\t张伟\n".encode("gbk"), "a.csv")[1] == ["1", "张伟"]

    def test_xlsx_numbers_and_dates_become_text(self):
        import datetime

        data = xlsx([["工号", "入职日期"], [1001, datetime.datetime(2024, 3, 1)], [1002.0, "2024/3/2"]])
        assert read_table(data, "x.xlsx")[1:] == [["1001", "2024-03-01"], ["1002", "2024/3/2"]]

    def test_old_xls_files_are_read(self):
        """Old binary .xls workbooks (Excel 97–2003, still common in offices) are read like .xlsx."""
        import datetime

        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("人员")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for col, text in enumerate(["工号", "姓名", "入职日期"]):
            sheet.write(0, col, text)
        sheet.write(1, 0, 1001)
        sheet.write(1, 1, "张伟")
        sheet.write(1, 2, datetime.date(2024, 3, 1), date_style)
        buffer = io.BytesIO()
        book.save(buffer)
        assert read_table(buffer.getvalue(), "staff.xls") == [["工号", "姓名", "入职日期"], ["1001", "张伟", "2024-03-01"]]

    def test_a_table_that_does_not_start_at_a1_keeps_its_row_and_column_numbers(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet["B3"], sheet["C3"], sheet["B4"], sheet["C4"] = "工号", "姓名", 1001, "张伟"
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert read_table(buffer.getvalue(), "a.xlsx") == [
            ["", "", ""], ["", "", ""], ["", "工号", "姓名"], ["", "1001", "张伟"]]

    def test_damaged_workbook_is_a_file_error(self):
        from zhidu.core.imports import ImportFileError

        with pytest.raises(ImportFileError, match="Excel"):
            read_table(b"PK\x03\x04 not really a zip", "broken.xlsx")

    def test_decode_refuses_garbage(self):
        from zhidu.core.imports import ImportFileError

        with pytest.raises(ImportFileError):
            decode_csv(b"\xff\xfe\x00\xd8\x00")  # a lone surrogate in UTF-16

    @pytest.mark.parametrize("text,expected", [
        ("2024-03-01", (2024, 3, 1)), ("2024/3/1", (2024, 3, 1)), ("2024.03.01", (2024, 3, 1)),
        ("2024年3月1日", (2024, 3, 1)), ("20240301", (2024, 3, 1)), ("45352", (2024, 3, 1)),
    ])
    def test_dates(self, text, expected):
        import datetime

        assert parse_date(text) == datetime.date(*expected)

    def test_bad_date(self):
        with pytest.raises(ValueError, match="不是日期"):
            parse_date("2024-02-30")


class TestUnitImport:
    def test_import_xlsx_creates_tree_in_dependency_order(self, company, superuser):
        result = run_import(UnitImporter(user=superuser), data=xlsx(UNIT_ROWS), filename="org.xlsx")
        assert result.ok and result.committed, result.errors
        assert result.created == 4
        hd = OrgUnit.objects.get(code="HD")
        assert hd.parent.code == "XSB" and hd.kind == UnitKind.SECTION
        assert OrgUnit.objects.get(code="XSB").parent == company
        assert OrgUnit.objects.get(code="YF").kind == UnitKind.DEPARTMENT
        # one change-log entry per row, attributed to the import
        entries = ChangeLogEntry.objects.filter(source="import", content_type=ContentType.objects.get_for_model(OrgUnit))
        assert entries.count() == 4 and {e.actor_id for e in entries} == {superuser.pk}

    def test_reimport_updates_and_reports_unchanged(self, company, superuser):
        run_import(UnitImporter(user=superuser), data=xlsx(UNIT_ROWS), filename="org.xlsx")
        rows = [UNIT_ROWS[0], ["SCB", "市场营销部", "HQ", "部门", "否", "30"], ["HD", "华东区", "SCB", "科室", "", ""]]
        result = run_import(UnitImporter(user=superuser), data=xlsx(rows), filename="org.xlsx")
        assert [r.action for r in result.rows] == [Action.UPDATED, Action.UPDATED]
        hd = OrgUnit.objects.get(code="HD")
        assert hd.parent.code == "SCB" and hd.path.startswith(OrgUnit.objects.get(code="SCB").path)
        result = run_import(UnitImporter(user=superuser), data=xlsx(rows), filename="org.xlsx")
        assert [r.action for r in result.rows] == [Action.UNCHANGED, Action.UNCHANGED]

    def test_bad_rows_all_or_nothing(self, company, superuser):
        rows = [
            UNIT_ROWS[0],
            ["SCB", "市场部", "HQ", "部门", "否", "30"],
            ["X1", "", "HQ", "宿舍", "也许", "-1"],
            ["X2", "某部", "不存在的部门", "", "", ""],
            ["SCB", "重复", "HQ", "", "", ""],
            ["A", "甲", "B", "", "", ""],
            ["B", "乙", "A", "", "", ""],
            ["X3", "信息中心", "信息中心", "", "", "abc"],
        ]
        result = run_import(UnitImporter(user=superuser), data=csv_bytes(rows, "gbk"), filename="org.csv")
        assert not result.committed
        assert not OrgUnit.objects.filter(code="SCB").exists()
        by_row = {}
        for error in result.errors:
            by_row.setdefault(error.row, []).append((error.column, error.message))
        assert set(by_row) == {3, 4, 5, 6, 7, 8}
        assert ("部门名称", "此列为必填项。") in by_row[3]
        assert any(c == "类型" for c, _m in by_row[3]) and any(c == "信息化主管部门" for c, _m in by_row[3])
        assert any(c == "排序" for c, _m in by_row[3])
        assert any(c == "上级部门" and "不存在的部门" in m for c, m in by_row[4])
        assert any("2" in m for _c, m in by_row[5])  # duplicate of row 2
        assert any("循环" in m for _c, m in by_row[6]) and any("循环" in m for _c, m in by_row[7])
        assert result.rows[0].action == Action.SKIPPED

    def test_import_valid_rows_only(self, company, superuser):
        rows = [UNIT_ROWS[0], ["SCB", "市场部", "HQ", "部门", "否", "30"], ["X2", "某部", "不存在", "", "", ""],
                ["X3", "子部", "X2", "", "", ""]]
        result = run_import(UnitImporter(user=superuser), data=xlsx(rows), filename="o.xlsx",
                            mode=ImportMode.VALID_ROWS)
        assert result.committed
        assert [r.action for r in result.rows] == [Action.CREATED, Action.ERROR, Action.ERROR]
        assert "3" in result.rows[2].errors[0].message  # refers to row 3, which has errors
        assert OrgUnit.objects.filter(code="SCB").exists() and not OrgUnit.objects.filter(code="X3").exists()

    def test_dry_run_changes_nothing(self, company, superuser):
        before = (OrgUnit.objects.count(), ChangeLogEntry.objects.count())
        result = run_import(UnitImporter(user=superuser), data=xlsx(UNIT_ROWS), filename="o.xlsx",
                            mode=ImportMode.DRY_RUN)
        assert result.ok and not result.committed and result.created == 4
        assert (OrgUnit.objects.count(), ChangeLogEntry.objects.count()) == before

    def test_missing_required_column(self, company, superuser):
        result = run_import(UnitImporter(user=superuser), data=xlsx([["名称"], ["x"]]), filename="o.xlsx")
        assert result.file_errors and "缺少必填列：单位编码" in result.file_errors[0]

    def test_moving_a_unit_under_its_own_subtree_is_a_row_error(self, company, superuser):
        rows = [UNIT_ROWS[0], ["ZHGLB", "综合管理部", "XXZX", "", "", ""]]
        result = run_import(UnitImporter(user=superuser), data=xlsx(rows), filename="o.xlsx")
        assert not result.committed and result.rows[0].errors


class TestPeopleImport:
    def rows(self):
        return [
            PEOPLE_HEADER,
            ["HX0101", "张伟", "综合管理部/信息中心", "网络管理岗", "HX0100", "在职", "2019-03-01", "zhangwei@example.com"],
            ["HX0100", "王建国", "综合管理部", "", "", "在职", "2015/7/1", ""],
            ["HX0102", "李娜", "财务部", "", "HX0100", "离职", "2018年1月2日", ""],
        ]

    @pytest.mark.parametrize("fmt", ["xlsx", "utf8", "utf8-bom", "gbk"])
    def test_import_people_in_every_format(self, company, superuser, fmt):
        rows = self.rows()
        data = {
            "xlsx": lambda: xlsx(rows), "utf8": lambda: csv_bytes(rows), "utf8-bom": lambda: csv_bytes(rows, bom=True),
            "gbk": lambda: csv_bytes(rows, "gbk"),
        }[fmt]()
        result = run_import(PersonImporter(user=superuser), data=data, filename=f"staff.{'xlsx' if fmt == 'xlsx' else 'csv'}")
        assert result.ok and result.committed, result.errors
        zhang = Person.objects.get(employee_no="HX0101")
        assert zhang.name == "张伟" and zhang.department.code == "XXZX" and zhang.manager.employee_no == "HX0100"
        assert zhang.position.name == "网络管理岗" and zhang.hire_date.isoformat() == "2019-03-01"
        li = Person.objects.get(employee_no="HX0102")
        assert li.status == EmploymentStatus.LEFT and li.leave_date is not None
        assert Position.objects.filter(name="网络管理岗").exists()
        person_ct = ContentType.objects.get_for_model(Person)
        for person in Person.objects.all():
            entries = ChangeLogEntry.objects.filter(content_type=person_ct, object_id=str(person.pk))
            assert [(e.action, e.source) for e in entries] == [("create", "import")]

    def test_update_transfer_and_leave_are_timeline_events(self, company, superuser):
        run_import(PersonImporter(user=superuser), data=xlsx(self.rows()), filename="s.xlsx")
        rows = [["工号", "部门", "状态", "离职日期"], ["HX0101", "财务部", "离职", "2026-01-31"]]
        result = run_import(PersonImporter(user=superuser), data=xlsx(rows), filename="s.xlsx")
        assert result.ok and result.updated == 1, result.errors
        zhang = Person.objects.get(employee_no="HX0101")
        assert zhang.department.code == "CWB" and zhang.status == EmploymentStatus.LEFT
        assert zhang.leave_date.isoformat() == "2026-01-31"
        verbs = list(TimelineEvent.objects.filter(object_id=str(zhang.pk),
                                                  content_type=ContentType.objects.get_for_model(Person))
                     .values_list("verb", flat=True))
        assert verbs == ["hired", "dept_transfer", "left"]

    def test_bad_people_rows(self, company, superuser):
        PersonFactory(employee_no="E1", department=OrgUnit.objects.get(code="CWB"))
        rows = [
            PEOPLE_HEADER,
            ["HX1", "甲", "不存在部门", "", "", "在职", "", ""],
            ["HX2", "乙", "财务部", "", "NOBODY", "在岗吗", "2024-13-01", "not-an-email"],
            ["HX3", "", "财务部", "", "HX3", "", "", ""],
            ["HX4", "丁", "财务部", "", "HX5", "", "", ""],
            ["HX5", "戊", "财务部", "", "HX4", "", "", ""],
            ["HX6", "己", "财务部", "", "E1", "在职", "2020-01-01", ""],
        ]
        result = run_import(PersonImporter(user=superuser), data=csv_bytes(rows), filename="s.csv")
        columns = {(e.row, e.column) for e in result.errors}
        assert (2, "部门") in columns
        assert {(3, "直属上级"), (3, "状态"), (3, "入职日期"), (3, "邮箱")} <= columns
        assert (4, "姓名") in columns and (4, "直属上级") in columns
        assert {e.row for e in result.errors} >= {5, 6}
        assert not result.committed and not Person.objects.filter(employee_no="HX6").exists()
        assert all(e.message for e in result.errors)

    def test_department_must_be_unambiguous(self, company, superuser):
        services.create_unit(name="信息中心", code="XX2", parent=OrgUnit.objects.get(code="CWB"), actor=None)
        rows = [PEOPLE_HEADER, ["HX1", "甲", "信息中心", "", "", "", "", ""]]
        result = run_import(PersonImporter(user=superuser), data=xlsx(rows), filename="s.xlsx")
        assert "不唯一" in result.errors[0].message

    def test_login_names_create_logins(self, company, superuser):
        rows = [["工号", "姓名", "部门", "登录名"], ["HX1", "甲", "财务部", "jia"]]
        result = run_import(PersonImporter(user=superuser), data=xlsx(rows), filename="s.xlsx")
        assert result.ok
        person = Person.objects.get(employee_no="HX1")
        assert person.user.username == "jia" and not person.user.has_usable_password()

    def test_scope_limits_what_an_hr_officer_may_import(self, company):
        from zhidu.org.models import Role, RoleAssignment

        user = UserFactory(username="hr")
        zh = OrgUnit.objects.get(code="ZHGLB")
        hr = PersonFactory(department=zh, user=user)
        RoleAssignment.objects.create(person=hr, role=Role.objects.get(code="hr"), unit=zh, include_subtree=True)
        other = PersonFactory(employee_no="E9", department=OrgUnit.objects.get(code="CWB"))
        rows = [["工号", "姓名", "部门"], ["HX1", "甲", "综合管理部/信息中心"], ["HX2", "乙", "财务部"],
                ["E9", "改名", "财务部"]]
        importer = PersonImporter(user=user)
        assert importer.check_permission()
        result = run_import(importer, data=xlsx(rows), filename="s.xlsx", mode=ImportMode.VALID_ROWS)
        assert [r.action for r in result.rows] == [Action.CREATED, Action.ERROR, Action.ERROR]
        other.refresh_from_db()
        assert other.name != "改名"

    def test_employee_may_not_import(self, company):
        user = UserFactory(username="emp")
        PersonFactory(department=OrgUnit.objects.get(code="CWB"), user=user)
        assert not PersonImporter(user=user).check_permission()


class TestTemplate:
    @pytest.mark.parametrize("importer_class", [UnitImporter, PersonImporter])
    def test_template_round_trip(self, company, superuser, importer_class):
        data = build_template(importer_class(user=superuser))
        workbook = load_workbook(io.BytesIO(data))
        assert len(workbook.worksheets) == 2
        header = [c.value for c in workbook.worksheets[0][1]]
        assert header[0].endswith("*")
        result = run_import(importer_class(user=superuser), data=data, filename="template.xlsx",
                            mode=ImportMode.DRY_RUN)
        assert result.ok, result.errors


class TestImportPage:
    def test_upload_check_then_import_without_second_upload(self, company, superuser, client, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(superuser)
        url = "/org/import/units/"
        response = client.get(url)
        assert response.status_code == 200
        template = client.get(url + "?template=1")
        assert template["Content-Type"].startswith("application/vnd.openxmlformats")
        upload = io.BytesIO(xlsx(UNIT_ROWS))
        upload.name = "org.xlsx"
        response = client.post(url, {"file": upload, "mode": ImportMode.DRY_RUN})
        assert response.status_code == 200
        token = response.context["token"]
        assert token and not OrgUnit.objects.filter(code="SCB").exists()
        response = client.post(url, {"token": token, "mode": ImportMode.ALL_OR_NOTHING})
        assert response.status_code == 200 and response.context["result"].committed
        assert OrgUnit.objects.filter(code="SCB").exists()

    def test_errors_are_shown_with_row_and_column(self, company, superuser, client):
        client.force_login(superuser)
        upload = io.BytesIO(csv_bytes([UNIT_ROWS[0], ["X2", "某部", "不存在的部门", "", "", ""]], "gbk"))
        upload.name = "org.csv"
        response = client.post("/org/import/units/", {"file": upload, "mode": ImportMode.ALL_OR_NOTHING})
        html = response.content.decode()
        assert "不存在的部门" in html and "上级部门" in html

    def test_no_permission_is_403(self, company, client):
        user = UserFactory(username="emp")
        PersonFactory(department=OrgUnit.objects.get(code="CWB"), user=user)
        client.force_login(user)
        assert client.get("/org/import/people/").status_code == 403
