"""xlsx/csv exports: every filtered row in scope, streamed, formula-escaped, read back for real."""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from zhidu.core.exports import escape_formula, export_filename, export_rows
from zhidu.core.models import ChangeLogEntry
from zhidu.core.tables import MoneyColumn, ZhiduTable
from zhidu.core.testing import count_queries, make_unit, make_user, perms_for, read_csv, read_xlsx
from zhidu.core.tests.test_views_generic import PersonTable, make_person
from zhidu.org.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhidu.core.tests.test_views_generic")]

NASTY = ["=HYPERLINK(\"http://evil.example\")", "+86-10-1234", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
         "＝全角等号", "＋全角加号", "－全角减号", "＠全角", "正常文本"]


@pytest.mark.parametrize("value", NASTY)
def test_escape_formula(value):
    escaped = escape_formula(value)
    if value == "正常文本":
        assert escaped == value
    else:
        assert escaped == "'" + value


def test_escape_formula_leaves_numbers_and_none():
    assert escape_formula(-5) == -5
    assert escape_formula(Decimal("-1.50")) == Decimal("-1.50")
    assert escape_formula(None) is None


@pytest.fixture
def unit():
    return make_unit("综合管理部")


@pytest.fixture
def viewer(unit):
    return make_user(perms=[*perms_for(Person, "view"), "org.view_orgunit"], scope=unit, department=unit,
                     name="查看人")


def test_csv_has_bom_all_rows_and_escaped_cells(client, viewer, unit):
    for _ in range(30):
        make_person(unit)
    for i, text in enumerate(NASTY):
        make_person(unit, name=text, email=f"n{i}@example.com")
    client.force_login(viewer)
    response = client.get("/t/people/", {"export": "csv", "page": 1})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)  # asserts the BOM
    header, data = rows[0], rows[1:]
    assert header == ["Employee number", "Name", "Department", "Employment status"] or len(header) == 4
    assert len(data) == 30 + len(NASTY) + 1  # every filtered row, not one page (+ the viewer)
    names = {row[1] for row in data}
    for text in NASTY[:-1]:
        assert "'" + text in names, text
    assert "正常文本" in names


def test_xlsx_read_back(client, viewer, unit):
    person = make_person(unit, name="=1+1", hire_date=datetime.date(2026, 3, 1))
    make_person(unit, name="控制\x01字符")
    client.force_login(viewer)
    response = client.get("/t/people/", {"export": "xlsx", "columns": "name,hire_date,department", "sort": "name"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    header = rows[0]
    assert len(header) == 4  # employee number (required) + the three chosen
    by_no = {row[0]: row for row in rows[1:]}
    row = by_no[person.employee_no]
    assert row[1] == "'=1+1"
    assert row[2] == "综合管理部"  # columns keep the table's order
    assert row[3] == datetime.datetime(2026, 3, 1)  # a real date cell
    assert "控制字符" in {r[1] for r in rows[1:]}  # illegal control characters dropped


def test_export_respects_sort_filters_and_scope(client, viewer, unit):
    other = make_unit("保密室")
    make_person(unit, name="乙")
    make_person(unit, name="甲")
    secret = make_person(other, name="秘密人员")
    client.force_login(viewer)
    data = read_csv(client.get("/t/people/", {"export": "csv", "sort": "-name", "columns": "name"}))[1:]
    names = [row[1] for row in data]
    assert names == sorted(names, reverse=True)
    assert "秘密人员" not in names and secret.employee_no not in {row[0] for row in data}
    data = read_csv(client.get("/t/people/", {"export": "csv", "q": "甲"}))[1:]
    assert [row[1] for row in data] == ["甲"]


def test_export_filename_and_changelog(client, viewer, unit):
    client.force_login(viewer)
    response = client.get("/t/people/", {"export": "xlsx", "q": "x"})
    b"".join(response.streaming_content)
    disposition = response["Content-Disposition"]
    filename = export_filename(Person, "xlsx")
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote(filename, safe='')}" in disposition
    assert filename.endswith(f"-{datetime.date.today():%Y%m%d}.xlsx") or filename.endswith(".xlsx")
    ct = ContentType.objects.get_for_model(Person)
    entry = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ContentType), object_id=str(ct.pk)).get()
    assert entry.action == "event" and entry.actor == viewer
    assert entry.after["event"] == "export" and entry.after["format"] == "xlsx"
    assert entry.after["model"] == "org.Person" and entry.after["query"]["q"] == ["x"]


def test_export_filename_is_chinese_in_zh():
    from django.utils import translation

    with translation.override("zh-hans"):
        name = export_filename(Person, "csv", today=datetime.date(2026, 1, 5))
    assert name.endswith("-20260105.csv")


def test_export_queries_do_not_grow_with_rows(client, viewer, unit):
    client.force_login(viewer)
    client.get("/t/people/")
    before, _ = count_queries(client, "/t/people/?export=csv")
    for _ in range(40):
        make_person(unit)
    after, response = count_queries(client, "/t/people/?export=csv")
    assert before == after


def test_unknown_format_is_refused(client, viewer):
    client.force_login(viewer)
    assert client.get("/t/people/", {"export": "pdf"}).status_code == 400


class AmountTable(ZhiduTable):
    amount = MoneyColumn(accessor="pk", verbose_name="金额")

    class Meta(ZhiduTable.Meta):
        model = Person
        fields = ("name",)


def test_export_rows_reusable_by_a_background_task(unit):
    """export_rows(queryset, table, fmt) with a Table class, as a task would call it."""
    people = [make_person(unit, name=f"任务{i}") for i in range(3)]
    qs = Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk")
    body = b"".join(export_rows(qs, AmountTable, "xlsx"))
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "金额"
    assert [r[1] for r in rows[1:]] == [p.pk for p in people]  # numbers stay numbers
    assert sheet.cell(row=2, column=2).number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"
    csv_body = b"".join(export_rows(qs, PersonTable(qs), "csv"))
    assert csv_body.startswith(b"\xef\xbb\xbf") and "任务0".encode() in csv_body
    with pytest.raises(ValueError):
        export_rows(qs, AmountTable, "pdf")
