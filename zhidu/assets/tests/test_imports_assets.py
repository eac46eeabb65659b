"""Asset import (zhidu.assets.imports, issue #3 "Across all three"): a real .xlsx (openpyxl)
and a GBK CSV with Chinese headers, bad rows, match keys, the mapping step, the opening
custody of new cards and the refusal of custodian changes on updates (AST-08, AST-09)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from zhidu.assets.choices import AssetStatus
from zhidu.assets.imports import AssetImporter
from zhidu.assets.models import Asset, AssetCategory, AssetModel, CustodyPeriod, Location, Supplier
from zhidu.core.imports import Action, ImportMode, run_import
from zhidu.core.models import BackgroundJob, ChangeLogEntry
from zhidu.org import services as org_services
from zhidu.org.choices import UnitKind
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HEADERS = ["资产编号", "资产名称", "类别", "品牌/厂商", "型号", "序列号", "配置", "供应商", "购置日期", "原值",
           "保修截止", "使用部门", "使用人/责任人", "存放地点", "状态", "涉密", "备注"]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def gbk_csv(rows) -> bytes:
    return ("\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n").encode("gbk")


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")


@pytest.fixture
def ledger(db):
    seed_roles()
    hq = org_services.create_unit(name="华信科技有限公司", code="HQ", kind=UnitKind.COMPANY, actor=None)
    it = org_services.create_unit(name="信息中心", code="XXZX", parent=hq, actor=None)
    fin = org_services.create_unit(name="财务部", code="CWB", parent=hq, actor=None)
    laptop = AssetCategory.objects.create(code="laptop", name="笔记本电脑")
    AssetCategory.objects.create(code="printer", name="打印机")
    AssetModel.objects.create(category=laptop, manufacturer="联想", name="ThinkPad T14")
    Supplier.objects.create(name="华信数码")
    Location.objects.create(code="A301", name="A栋301")
    zhang = PersonFactory(employee_no="HX0101", name="张伟", department=it)
    li = PersonFactory(employee_no="HX0102", name="李娜", department=fin)
    return {"it": it, "fin": fin, "laptop": laptop, "zhang": zhang, "li": li}


def row(**values):
    base = {"资产编号": "", "资产名称": "笔记本电脑", "类别": "笔记本电脑", "品牌/厂商": "联想", "型号": "ThinkPad T14",
            "序列号": "", "配置": "i7/16G", "供应商": "华信数码", "购置日期": "2024-03-01", "原值": "6999",
            "保修截止": "2027-03-01", "使用部门": "信息中心", "使用人/责任人": "", "存放地点": "A301", "状态": "",
            "涉密": "否", "备注": ""}
    base.update(values)
    return [base[h] for h in HEADERS]


def test_xlsx_creates_cards_with_opening_custody_and_reports_bad_rows(root, ledger):
    data = xlsx([
        HEADERS,
        row(**{"资产编号": "ZC-1", "序列号": "SN1", "使用人/责任人": "HX0101"}),
        row(**{"资产编号": "ZC-2", "序列号": "SN2", "使用人/责任人": "李娜", "使用部门": "", "涉密": "是"}),
        row(**{"资产编号": "ZC-3", "类别": "没有的类别"}),
        row(**{"资产编号": "ZC-4", "购置日期": "昨天", "使用人/责任人": "HX9999"}),
        row(**{"资产编号": "ZC-5", "序列号": "SN5"}),
    ])
    result = run_import(AssetImporter(user=root), data=data, filename="assets.xlsx", mode=ImportMode.VALID_ROWS)
    assert result.committed
    assert (result.created, result.error_rows) == (3, 2)
    errors = {(e.row, e.column) for e in result.errors}
    assert (4, "类别") in errors and (5, "购置日期") in errors and (5, "使用人/责任人") in errors
    first = Asset.objects.get(number="ZC-1")
    assert first.status == AssetStatus.IN_USE and first.custodian == ledger["zhang"]
    assert first.purchase_price == Decimal("6999.00") and first.location.code == "A301"
    assert first.model.name == "ThinkPad T14" and first.supplier.name == "华信数码"
    period = CustodyPeriod.objects.get(asset=first)
    assert period.reason == "import" and period.custodian == ledger["zhang"] and period.ended is None
    second = Asset.objects.get(number="ZC-2")
    assert second.department == ledger["fin"] and second.is_classified  # custodian's department
    stock = Asset.objects.get(number="ZC-5")
    assert stock.status == AssetStatus.IN_STOCK and stock.custodian is None
    assert not CustodyPeriod.objects.filter(asset=stock).exists()
    entries = ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Asset),
                                            object_id=str(first.pk))
    assert entries.exists() and all(e.source == "import" for e in entries)


def test_gbk_csv_with_chinese_headers(root, ledger):
    data = gbk_csv([HEADERS, row(**{"资产编号": "ZC-9", "序列号": "SNG", "备注": "财务用机"}),
                    row(**{"资产编号": "ZC-10", "原值": "abc"})])
    result = run_import(AssetImporter(user=root), data=data, filename="台账.csv", mode=ImportMode.ALL_OR_NOTHING)
    assert not result.committed and result.error_rows == 1
    assert result.errors[0].row == 3 and result.errors[0].column == "原值"
    assert not Asset.objects.exists()
    result = run_import(AssetImporter(user=root), data=gbk_csv([HEADERS, row(**{"资产编号": "ZC-9", "备注": "财务用机"})]),
                        filename="台账.csv")
    assert result.committed and Asset.objects.get(number="ZC-9").notes == "财务用机"


def test_dry_run_changes_nothing(root, ledger):
    result = run_import(AssetImporter(user=root), data=xlsx([HEADERS, row(**{"资产编号": "ZC-1"})]),
                        filename="a.xlsx", mode=ImportMode.DRY_RUN)
    assert result.ok and result.created == 1 and not result.committed
    assert not Asset.objects.exists()


def test_update_by_serial_number_refuses_custodian_change(root, ledger):
    run_import(AssetImporter(user=root), data=xlsx([HEADERS, row(**{"资产编号": "ZC-1", "序列号": "SN1",
                                                                   "使用人/责任人": "HX0101"})]), filename="a.xlsx")
    importer = AssetImporter(user=root)
    importer.set_match_key("serial_number")
    result = run_import(importer, data=xlsx([
        ["序列号", "配置", "使用人/责任人"], ["SN1", "i9/64G", "HX0101"],
    ]), filename="b.xlsx")
    assert result.committed and result.rows[0].action == Action.UPDATED
    asset = Asset.objects.get(number="ZC-1")
    assert asset.configuration == "i9/64G"
    importer = AssetImporter(user=root)
    importer.set_match_key("serial_number")
    result = run_import(importer, data=xlsx([["序列号", "使用人/责任人"], ["SN1", "HX0102"]]), filename="c.xlsx")
    assert not result.committed
    message = result.errors[0].message
    assert result.errors[0].column == "使用人/责任人" and "AST-09" in message
    asset.refresh_from_db()
    assert asset.custodian == ledger["zhang"]
    assert CustodyPeriod.objects.filter(asset=asset).count() == 1


def test_status_change_refused_on_update(root, ledger):
    run_import(AssetImporter(user=root), data=xlsx([HEADERS, row(**{"资产编号": "ZC-1"})]), filename="a.xlsx")
    result = run_import(AssetImporter(user=root), data=xlsx([["资产编号", "状态"], ["ZC-1", "丢失"]]), filename="b.xlsx")
    assert result.error_rows == 1 and result.errors[0].column == "状态"


def test_missing_model_and_supplier_created_only_by_option(root, ledger):
    rows = [HEADERS, row(**{"资产编号": "ZC-1", "品牌/厂商": "华为", "型号": "MateBook", "供应商": "新供应商"})]
    result = run_import(AssetImporter(user=root), data=xlsx(rows), filename="a.xlsx")
    assert not result.committed and {e.column for e in result.errors} == {"型号", "供应商"}
    result = run_import(AssetImporter(user=root, create_missing=True), data=xlsx(rows), filename="a.xlsx")
    assert result.committed
    asset = Asset.objects.get(number="ZC-1")
    assert str(asset.model) == "华为 MateBook" and asset.supplier.name == "新供应商"


def test_in_use_without_custodian_is_an_error(root, ledger):
    result = run_import(AssetImporter(user=root), data=xlsx([HEADERS, row(**{"资产编号": "ZC-1", "状态": "在用"})]),
                        filename="a.xlsx")
    assert result.error_rows == 1 and result.errors[0].column == "使用人/责任人"


def test_import_page_mapping_step_and_background(client, root, ledger):
    client.force_login(root)
    url = reverse("assets:asset_import")
    page = client.get(url)
    assert page.status_code == 200 and 'name="map_columns"' in page.content.decode()
    assert client.get(url, {"template": "1"})["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(xlsx([["编号X", "品名", "类别", "部门", "SN"], ["ZC-77", "打印机A", "打印机", "信息中心", "P1"]]))
    upload.name = "odd.xlsx"
    response = client.post(url, {"file": upload, "map_columns": "1", "mode": "all_or_nothing"})
    assert response.status_code == 200
    headers = response.context["headers"]
    assert [h["field"] for h in headers] == ["", "", "category", "department", "serial_number"]
    token = response.context["token"]
    post = {"token": token, "step": "run", "mode": "all_or_nothing", "match_key": "number", "map_0": "number",
            "map_1": "name", "map_2": "category", "map_3": "department", "map_4": "serial_number"}
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=0):
        response = client.post(url, post)
    assert response.status_code == 302
    job = BackgroundJob.objects.get(kind="import")
    assert job.status == "done" and job.result["created"] == 1, (job.message, job.errors)
    assert Asset.objects.get(number="ZC-77").serial_number == "P1"


def test_import_needs_permission(client, ledger):
    user = get_user_model().objects.create_user("plain", password="x-Passw0rd!")
    client.force_login(user)
    assert client.get(reverse("assets:asset_import")).status_code == 403


def test_new_rows_are_written_in_blocks_and_a_refused_block_is_saved_row_by_row(root, ledger):
    """Issue #3 import speed: new cards go to the database 500 at a time (queries do not grow
    with the rows); a row the block write refuses (here a required card field, AST-01) falls
    back to row-by-row saving, so its error lands on its row and the other rows are kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(first: int, count: int) -> int:
        rows = [HEADERS] + [row(**{"资产编号": f"B-{first + i}", "使用人/责任人": "HX0101"}) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            result = run_import(AssetImporter(user=root), data=xlsx(rows), filename="a.xlsx")
        assert result.committed and result.created == count
        return len(captured)

    small, large = queries_for(0, 20), queries_for(1000, 400)
    assert large - small < 30, (small, large)  # 380 more rows, a handful more queries
    assert CustodyPeriod.objects.filter(asset__number__startswith="B-", ended__isnull=True).count() == 420

    ledger["laptop"].field_schema = [{"key": "cpu", "label": "CPU", "type": "text", "required": True}]
    ledger["laptop"].save()
    rows = [HEADERS, row(**{"资产编号": "F-1"}), row(**{"资产编号": "F-2", "类别": "打印机", "型号": "", "品牌/厂商": ""}), row(**{"资产编号": "F-3"})]
    result = run_import(AssetImporter(user=root), data=xlsx(rows), filename="a.xlsx", mode=ImportMode.VALID_ROWS)
    assert result.committed and result.created == 1 and result.error_rows == 2
    assert {e.row for e in result.errors} == {2, 4}
    assert all("CPU" in e.message for e in result.errors)
    assert list(Asset.objects.filter(number__startswith="F-").values_list("number", flat=True)) == ["F-2"]
