"""Consumables imports (zhidu.consumables.imports, issue #3 "Across all three"): the catalogue
(CON-01) and stock levels (opening balances / stock count, CON-02/03, CON-06) from real .xlsx
files (openpyxl) and a GBK CSV with Chinese headers; dry run, all-or-nothing, valid rows,
Chinese row errors, match keys, change log with source "import", the adjustment movements
posted and the balances they leave, permissions and the upload flow of the pages."""

import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from zhidu.assets.models import AssetModel
from zhidu.consumables import selectors, services
from zhidu.consumables.imports import ItemImporter, StockImporter
from zhidu.consumables.models import ConsumableItem, Movement, StockBalance
from zhidu.core.imports import Action, ImportMode, run_import
from zhidu.core.models import BackgroundJob, ChangeLogEntry

from .factories import LocationFactory, PrinterCategoryFactory

pytestmark = pytest.mark.django_db

ITEM_HEADERS = ["耗材编号", "耗材名称", "类别", "单位", "适用机型", "最低库存", "单价", "备注说明"]
STOCK_HEADERS = ["耗材编号", "库房", "数量", "单价", "备注"]


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


def upload(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def printers(world):
    category = PrinterCategoryFactory()
    return {
        "m402": AssetModel.objects.create(category=category, manufacturer="HP", name="LaserJet M402"),
        "m426": AssetModel.objects.create(category=category, manufacturer="HP", name="LaserJet M426"),
        "lbp_canon": AssetModel.objects.create(category=category, manufacturer="佳能", name="LBP2900"),
        "lbp_other": AssetModel.objects.create(category=category, manufacturer="理光", name="LBP2900"),
    }


def item_row(**values):
    base = {"耗材编号": "HC-1", "耗材名称": "硒鼓 HP CF226A", "类别": "硒鼓", "单位": "个", "适用机型": "",
            "最低库存": "2", "单价": "380", "备注说明": ""}
    base.update(values)
    return [base[h] for h in ITEM_HEADERS]


def changelog(obj):
    return ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


# --------------------------------------------------------------------------- catalogue (CON-01)


def test_catalogue_xlsx_valid_rows_with_fits_and_chinese_errors(world, printers):
    data = xlsx([
        ITEM_HEADERS,
        item_row(**{"适用机型": "HP LaserJet M402、LaserJet M426; 佳能 LBP2900"}),
        item_row(**{"耗材编号": "HC-2", "耗材名称": "墨盒 803", "类别": "墨盒", "单位": "盒", "最低库存": "", "单价": ""}),
        item_row(**{"耗材编号": "HC-3", "耗材名称": "铅笔", "类别": "文具"}),
        item_row(**{"耗材编号": "HC-4", "耗材名称": "色带 A", "类别": "色带", "适用机型": "LBP2900/不存在的机型"}),
        item_row(**{"耗材编号": "HC-5", "耗材名称": "光盘 B", "类别": "光盘", "最低库存": "-1", "单价": "abc"}),
    ])
    result = run_import(ItemImporter(user=world["keeper"]), data=data, filename="耗材.xlsx",
                        mode=ImportMode.VALID_ROWS)
    assert result.committed
    assert (result.created, result.error_rows) == (2, 3)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert "不在可选值中" in errors[(4, "类别")]
    assert [(e.column, e.message) for e in result.errors if e.row == 5] == [
        ("适用机型", "多个品牌都有型号 LBP2900，请写作“品牌 型号”。"), ("适用机型", "设备型号目录中没有“不存在的机型”。")]
    assert errors[(6, "最低库存")] == "不能为负数。" and "不是数字" in errors[(6, "单价")]
    assert result.ignored_headers == ["备注说明"]
    drum = ConsumableItem.objects.get(code="HC-1")
    assert drum.category == "drum" and drum.unit == "个" and drum.reorder_level == 2
    assert drum.unit_price == Decimal("380.00")
    assert set(drum.fits.all()) == {printers["m402"], printers["m426"], printers["lbp_canon"]}
    ink = ConsumableItem.objects.get(code="HC-2")
    assert ink.category == "ink" and ink.unit == "盒" and not ink.fits.exists()
    assert not ConsumableItem.objects.filter(code__in=["HC-3", "HC-4", "HC-5"]).exists()
    entries = changelog(drum)
    assert entries.exists() and all(e.source == "import" for e in entries)


def test_catalogue_gbk_csv_all_or_nothing_refuses_the_whole_file(world):
    rows = [ITEM_HEADERS, item_row(), item_row(**{"耗材编号": "HC-2", "耗材名称": "墨粉 X", "类别": "碳粉"}),
            item_row(**{"耗材编号": "HC-3", "耗材名称": "光盘", "类别": "光盘", "最低库存": "1.5"})]
    result = run_import(ItemImporter(user=world["keeper"]), data=gbk_csv(rows), filename="耗材.csv",
                        mode=ImportMode.ALL_OR_NOTHING)
    assert not result.committed and result.error_rows == 1
    assert (result.errors[0].row, result.errors[0].column) == (4, "最低库存")
    assert result.errors[0].message == "“1.5”不是整数。"
    assert [r.action for r in result.rows] == [Action.SKIPPED, Action.SKIPPED, Action.ERROR]
    assert not ConsumableItem.objects.filter(code__startswith="HC-").exists()
    result = run_import(ItemImporter(user=world["keeper"]), data=gbk_csv(rows[:3]), filename="耗材.csv")
    assert result.committed and ConsumableItem.objects.get(code="HC-2").category == "toner"  # 碳粉 → 墨粉


def test_catalogue_dry_run_saves_nothing(world):
    result = run_import(ItemImporter(user=world["keeper"]), data=xlsx([ITEM_HEADERS, item_row()]), filename="a.xlsx",
                        mode=ImportMode.DRY_RUN)
    assert result.ok and result.created == 1 and not result.committed
    assert not ConsumableItem.objects.filter(code="HC-1").exists()
    assert not ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ConsumableItem),
                                             source="import").exists()


def test_catalogue_update_by_code_and_by_name(world, printers):
    item = world["item"]
    headers = ["耗材编码", "参考单价", "适用机型", "启用"]
    result = run_import(ItemImporter(user=world["keeper"]), data=xlsx([
        headers, [item.code, "399.5", "HP LaserJet M402", "否"],
    ]), filename="a.xlsx")
    assert result.committed and result.rows[0].action == Action.UPDATED
    item.refresh_from_db()
    assert item.unit_price == Decimal("399.50") and not item.is_active and list(item.fits.all()) == [printers["m402"]]
    assert changelog(item).filter(source="import").exists()
    again = run_import(ItemImporter(user=world["keeper"]), data=xlsx([
        headers, [item.code, "399.50", "HP LaserJet M402", "否"],
    ]), filename="a.xlsx")
    assert again.rows[0].action == Action.UNCHANGED
    importer = ItemImporter(user=world["keeper"])
    importer.set_match_key("name")
    result = run_import(importer, data=xlsx([["耗材名称", "耗材编号", "最低库存"], [item.name, "NEW-CODE", "7"]]),
                        filename="b.xlsx")
    assert result.committed and result.rows[0].action == Action.UPDATED
    item.refresh_from_db()
    assert (item.code, item.reorder_level) == ("NEW-CODE", 7)


def test_catalogue_duplicate_rows_and_missing_columns_of_new_rows(world):
    result = run_import(ItemImporter(user=world["keeper"]), data=xlsx([
        ITEM_HEADERS, item_row(), item_row(**{"耗材名称": "另一个"}), item_row(**{"耗材编号": "HC-9", "类别": ""}),
        item_row(**{"耗材编号": "HC-10", "耗材名称": world["item"].name}),
    ]), filename="a.xlsx", mode=ImportMode.VALID_ROWS)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert errors[(3, "耗材编号")] == "与第 2 行重复。"
    assert errors[(4, "类别")] == "新建记录时此列为必填项。"
    assert "已存在" in errors[(5, "耗材名称")]  # the name belongs to another entry
    assert result.created == 1


# --------------------------------------------------------------------------- stock (CON-02/03, CON-06)


def test_stock_opening_balance_and_stock_count_post_adjustments(world):
    keeper, item, warehouse = world["keeper"], world["item"], world["warehouse"]
    shelf = LocationFactory(code="B2", name="二楼库房")
    result = run_import(StockImporter(user=keeper), data=xlsx([
        STOCK_HEADERS, [item.code, "WH", 12, "380", "2026年期初"], [item.name, "二楼库房", 3, "", ""],
    ]), filename="期初.xlsx")
    assert result.committed and result.created == 2, result.errors
    assert StockBalance.objects.get(item=item, location=warehouse).quantity == 12
    assert StockBalance.objects.get(item=item, location=shelf).quantity == 3
    opening = Movement.objects.get(item=item, location=warehouse)
    assert (opening.kind, opening.quantity, opening.unit_price) == ("adjustment", 12, Decimal("380.00"))
    assert opening.note == "库存导入: 2026年期初" and opening.recorded_by == keeper
    assert changelog(opening).filter(source="import").exists()
    assert result.rows[0].messages == ["库存调整 +12 个：0 → 12。"]

    services.issue(item=item, location=warehouse, quantity=2, department=world["sales"],
                   person=world["employee"].person, actor=keeper)  # balance 10
    result = run_import(StockImporter(user=keeper), data=xlsx([
        ["耗材名称", "仓库", "实盘数量"], [item.name, "WH", 7], [item.name, "B2", 3],
    ]), filename="盘点.xlsx")
    assert result.committed and [r.action for r in result.rows] == [Action.UPDATED, Action.UNCHANGED]
    assert result.rows[0].messages == ["库存调整 -3 个：10 → 7。"]
    assert StockBalance.objects.get(item=item, location=warehouse).quantity == 7
    count = Movement.objects.filter(kind="adjustment", item=item, location=warehouse).order_by("id").last()
    assert count.quantity == -3
    assert Movement.objects.filter(location=shelf).count() == 1  # nothing posted for an unchanged balance
    assert selectors.verify_balances() == []


def test_stock_row_errors_in_chinese_and_all_or_nothing(world):
    keeper, item = world["keeper"], world["item"]
    LocationFactory(code="X1", name="同名库房")
    LocationFactory(code="X2", name="同名库房")
    result = run_import(StockImporter(user=keeper), data=xlsx([
        STOCK_HEADERS,
        [item.code, "WH", 5, "", ""],
        ["没有的耗材", "WH", 1, "", ""],
        [item.code, "没有的库房", 1, "", ""],
        [item.code, "同名库房", 1, "", ""],
        [item.code, "X1", -3, "", ""],
        [item.code, "X2", "1.5", "", ""],
        [item.code, "WH", 6, "", ""],
        [item.code, "X1", "", "", ""],
    ]), filename="bad.xlsx", mode=ImportMode.ALL_OR_NOTHING)
    assert not result.committed and result.error_rows == 7
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert errors[(3, "耗材编号")] == "耗材目录中没有“没有的耗材”（请填写耗材编号或名称）。"
    assert errors[(4, "库房")] == "没有存放地点“没有的库房”（请填写编码或名称）。"
    assert errors[(5, "库房")] == "有多个名为 同名库房 的存放地点，请填写编码。"
    assert errors[(6, "数量")] == "不能为负数。"
    assert errors[(7, "数量")] == "“1.5”不是整数。"
    assert errors[(8, "耗材编号+库房")] == "与第 2 行重复。"
    assert errors[(9, "数量")] == "此列为必填项。"
    assert not Movement.objects.exists() and not StockBalance.objects.filter(quantity__gt=0).exists()

    result = run_import(StockImporter(user=keeper), data=gbk_csv([
        STOCK_HEADERS, [item.code, "WH", 5, "", "盘点"], ["没有的耗材", "WH", 1, "", ""],
    ]), filename="盘点.csv", mode=ImportMode.VALID_ROWS)
    assert result.committed and result.created == 1 and result.error_rows == 1
    assert StockBalance.objects.get(item=item, location=world["warehouse"]).quantity == 5


def test_stock_dry_run_shows_the_movement_and_posts_nothing(world):
    result = run_import(StockImporter(user=world["keeper"]), data=xlsx([
        STOCK_HEADERS, [world["item"].code, "WH", 4, "", ""],
    ]), filename="a.xlsx", mode=ImportMode.DRY_RUN)
    assert result.ok and not result.committed and result.created == 1
    assert result.rows[0].messages == ["库存调整 +4 个：0 → 4。"]
    assert not Movement.objects.exists() and not StockBalance.objects.exists()


def test_count_stock_service_never_leaves_a_negative_balance(world):
    from zhidu.core.errors import RuleViolation

    keeper, item, warehouse = world["keeper"], world["item"], world["warehouse"]
    assert services.count_stock(item=item, location=warehouse, quantity=0, reason="盘点", actor=keeper) is None
    with pytest.raises(RuleViolation):
        services.count_stock(item=item, location=warehouse, quantity=-1, reason="盘点", actor=keeper)
    with pytest.raises(RuleViolation):  # not the keeper (CON-08)
        services.count_stock(item=item, location=warehouse, quantity=3, reason="盘点", actor=world["staff"])
    services.count_stock(item=item, location=warehouse, quantity=3, reason="盘点", actor=keeper)
    movement = services.count_stock(item=item, location=warehouse, quantity=0, reason="盘点", actor=keeper)
    assert movement.quantity == -3 and StockBalance.objects.get(item=item, location=warehouse).quantity == 0


# --------------------------------------------------------------------------- permissions and pages


@pytest.mark.parametrize("who", ["staff", "head", "employee"])
def test_import_needs_the_keeper(client, world, who):
    user = world[who]
    assert not ItemImporter(user=user).check_permission()
    assert not StockImporter(user=user).check_permission()
    client.force_login(user)
    for name in ("consumables:item_import", "consumables:stock_import"):
        assert client.get(reverse(name)).status_code == 403
        response = client.post(reverse(name), {"file": upload(xlsx([STOCK_HEADERS]), "a.xlsx"), "mode": "valid_rows"})
        assert response.status_code == 403
    assert 'data-action="import"' not in client.get(reverse("consumables:item_list")).content.decode()


def test_anonymous_is_sent_to_log_in(client, world):
    for name in ("consumables:item_import", "consumables:stock_import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_lists_link_to_the_imports(client, world):
    client.force_login(world["keeper"])
    assert reverse("consumables:item_import") in client.get(reverse("consumables:item_list")).content.decode()
    assert reverse("consumables:stock_import") in client.get(reverse("consumables:stock_list")).content.decode()


def test_catalogue_upload_flow_dry_run_then_import_now(client, world):
    client.force_login(world["keeper"])
    url = reverse("consumables:item_import")
    page = client.get(url)
    assert page.status_code == 200 and 'name="map_columns"' in page.content.decode()
    template = client.get(url, {"template": "1"})
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    headers = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert headers[:3] == ["耗材编号*", "耗材名称*", "类别*"]
    response = client.post(url, {"file": upload(xlsx([ITEM_HEADERS, item_row()]), "耗材.xlsx"), "mode": "dry_run"})
    assert response.status_code == 200 and response.context["result"].created == 1
    assert not ConsumableItem.objects.filter(code="HC-1").exists()
    token = response.context["token"]
    assert token
    response = client.post(url, {"token": token, "mode": "all_or_nothing", "match_key": "code"})
    assert response.status_code == 200 and response.context["result"].committed
    assert ConsumableItem.objects.get(code="HC-1").name == "硒鼓 HP CF226A"


def test_stock_page_dry_run_shows_the_movement(client, world):
    client.force_login(world["keeper"])
    data = xlsx([STOCK_HEADERS, [world["item"].code, "WH", 6, "", ""], ["没有的耗材", "WH", 1, "", ""]])
    response = client.post(reverse("consumables:stock_import"), {"file": upload(data, "盘点.xlsx"), "mode": "dry_run"})
    html = response.content.decode()
    assert response.status_code == 200 and "库存调整 +6 个：0 → 6。" in html
    assert "耗材目录中没有“没有的耗材”" in html and not Movement.objects.exists()


def test_stock_upload_mapping_step_and_background_job(client, world):
    client.force_login(world["keeper"])
    url = reverse("consumables:stock_import")
    data = xlsx([["物料", "存放处", "数量"], [world["item"].code, "WH", 9]])
    response = client.post(url, {"file": upload(data, "odd.xlsx"), "map_columns": "1", "mode": "all_or_nothing"})
    assert response.status_code == 200
    assert [h["field"] for h in response.context["headers"]] == ["", "", "quantity"]
    post = {"token": response.context["token"], "step": "run", "mode": "all_or_nothing",
            "map_0": "item", "map_1": "location", "map_2": "quantity"}
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=0):
        response = client.post(url, post)
    assert response.status_code == 302
    job = BackgroundJob.objects.get(kind="import")
    assert job.status == "done" and job.result["created"] == 1, (job.message, job.errors)
    assert StockBalance.objects.get(item=world["item"], location=world["warehouse"]).quantity == 9
    assert Movement.objects.get().kind == "adjustment"
