"""Excel/CSV import of the consumables catalogue and of stock levels (issue #3 "Across all
three"; CON-01, CON-02/03, CON-06), on `zhidu.core.imports` like the asset import.

* `ItemImporter` — the catalogue (CON-01): rows matched on the code (default) or the name; an
  existing entry is updated (only the columns present and non-empty), a new one created, both
  through `services.save_item` (the consumables keeper's job, CON-08). "Fits printer models"
  is a list of asset models (`assets.AssetModel`, "brand model" or the model name alone when
  unique) separated by 、 , ; / (and their full-width forms).
* `StockImporter` — opening balances and stock counts: item (code or name) × location (code or
  unique name) × counted quantity. A stock level is never typed in (CON-06): each row posts,
  through `services.count_stock`, the one adjustment movement that brings the balance to the
  counted quantity (nothing when it is already right). A dry run shows the movement each row
  would post.

Every saved row is change-logged with source "import" (`run_import` runs inside
`context.using(source="import")`). Lookups are loaded once per import.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.imports import Action, Column, Importer, Row, parse_bool, parse_choice, parse_decimal
from zhidu.core.scoping import has_perm_anywhere

from . import services
from .choices import ConsumableCategory
from .models import ConsumableItem, Movement, StockBalance

C = ConsumableCategory
CATEGORY_SYNONYMS = {
    "硒鼓": C.DRUM, "鼓": C.DRUM, "感光鼓": C.DRUM, "鼓粉盒": C.DRUM, "墨盒": C.INK, "墨水": C.INK, "墨水盒": C.INK,
    "色带": C.RIBBON, "色带架": C.RIBBON, "色带芯": C.RIBBON, "光盘": C.DISC, "刻录盘": C.DISC, "刻录光盘": C.DISC,
    "墨粉": C.TONER, "碳粉": C.TONER, "粉盒": C.TONER, "配件": C.PART, "易消耗配件": C.PART, "易耗配件": C.PART,
    "易损件": C.PART,
}
#: Separators of the "fits printer models" list.
FITS_SEPARATORS = re.compile(r"[、,，;；/／\n]+")


def _text(raw: dict, name: str) -> str:
    return (raw.get(name) or "").strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def _is_keeper(user) -> bool:
    """CON-08 (篇14 第十九条 ¶2): the catalogue and the ledger are kept by the consumables keeper."""
    return has_perm_anywhere(user, Movement, "issue")


class ItemImporter(Importer):
    """The consumables catalogue (耗材目录): one row per consumable."""

    key = "consumables.items"
    label = gettext_lazy("Consumables catalogue")
    model = ConsumableItem
    match_field = "code"
    match_keys = [("code", gettext_lazy("Consumable code")), ("name", gettext_lazy("Consumable name"))]
    columns = [
        Column("code", gettext_lazy("Consumable code"),
               aliases=("耗材编号", "耗材编码", "耗材代码", "编号", "编码", "代码", "物料编码", "code"), required_new=True,
               help=gettext_lazy("Unique code of the consumable; an existing code updates that entry."),
               example="HC-CF226A"),
        Column("name", gettext_lazy("Consumable name"),
               aliases=("耗材名称", "名称", "品名", "耗材", "物品名称", "name"), required_new=True,
               help=gettext_lazy("Unique name of the consumable."), example="硒鼓 HP CF226A"),
        Column("category", gettext_lazy("Consumable class"),
               aliases=("类别", "耗材类别", "分类", "种类", "类型", "耗材分类", "category"), required_new=True,
               help=gettext_lazy("硒鼓, 墨盒, 色带, 光盘, 墨粉 or 易消耗配件 (篇1 第八条)."), example="硒鼓",
               choices=("硒鼓", "墨盒", "色带", "光盘", "墨粉", "易消耗配件")),
        Column("unit", gettext_lazy("Unit of measure"), aliases=("单位", "计量单位", "unit"),
               help=gettext_lazy("E.g. 个, 盒, 支, 张 (default 个)."), example="个"),
        Column("specification", gettext_lazy("Specification"), aliases=("规格", "规格型号", "型号规格", "specification"),
               help=gettext_lazy("Free text."), example="黑色 约3100页"),
        Column("fits", gettext_lazy("Fits printer models"),
               aliases=("适用机型", "适用型号", "适用打印机", "适配机型", "适用设备", "fits"),
               help=gettext_lazy("Asset models the consumable fits, as “brand model” (or the model alone when it is "
                                 "unique), separated by 、 , ; or /. Replaces the current list."),
               example="HP LaserJet M402、HP LaserJet M426"),
        Column("reorder_level", gettext_lazy("Reorder level"),
               aliases=("最低库存", "最低库存量", "库存下限", "安全库存", "预警数量", "预警库存", "reorder_level"),
               help=gettext_lazy("A low-stock alert is sent when the total stock falls to this level."), example="2"),
        Column("unit_price", gettext_lazy("Reference unit price"),
               aliases=("参考单价", "单价", "价格", "参考价格", "unit_price"),
               help=gettext_lazy("Amount in yuan."), example="380.00"),
        Column("is_active", gettext_lazy("In use"), aliases=("启用", "是否启用", "在用", "is_active"),
               help=gettext_lazy("否 to deactivate the entry."), example="是", choices=("是", "否")),
    ]
    template_rows = [
        {"code": "HC-CF226A", "name": "硒鼓 HP CF226A", "category": "硒鼓", "unit": "个", "specification": "黑色 约3100页",
         "fits": "HP LaserJet M402、HP LaserJet M426", "reorder_level": "2", "unit_price": "380.00", "is_active": "是"},
    ]

    def check_permission(self) -> bool:
        return super().check_permission() and _is_keeper(self.user)

    def prepare(self, rows: list[Row]) -> None:
        from zhidu.assets.models import AssetModel

        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for pk, code, name in ConsumableItem.objects.values_list("pk", "code", "name"):
            self.by_code[code.casefold()] = pk
            self.by_name[name.casefold()] = pk
        self.models: dict[str, AssetModel | None] = {}
        names: dict[str, list[AssetModel]] = {}
        for model in AssetModel.objects.all():
            self.models[_key(f"{model.manufacturer} {model.name}")] = model
            names.setdefault(_key(model.name), []).append(model)
        for name, found in names.items():
            if name not in self.models:
                self.models[name] = found[0] if len(found) == 1 else None  # None: ambiguous, the brand is needed

    def clean(self, raw, row):
        cleaned = {name: _text(raw, name) for name in ("code", "name", "unit", "specification")}
        if len(cleaned["code"]) > 40:
            row.error("code", _("The code is at most 40 characters."))
        if len(cleaned["name"]) > 200:
            row.error("name", _("The name is at most 200 characters."))
        if len(cleaned["unit"]) > 10:
            row.error("unit", _("The unit is at most 10 characters."))
        if _text(raw, "category"):
            try:
                cleaned["category"] = parse_choice(raw["category"], C.choices, synonyms=CATEGORY_SYNONYMS)
            except ValueError as exc:
                row.error("category", exc)
        if _text(raw, "reorder_level"):
            cleaned["reorder_level"] = _whole_number(raw["reorder_level"], row, "reorder_level")
        cleaned["unit_price"] = _unit_price(raw, row)
        if _text(raw, "is_active"):
            try:
                cleaned["is_active"] = parse_bool(raw["is_active"])
            except ValueError as exc:
                row.error("is_active", exc)
        if _text(raw, "fits"):
            cleaned["fits"] = self._fits(raw["fits"], row)
        return cleaned

    def _fits(self, text: str, row: Row) -> list:
        found = []
        for part in FITS_SEPARATORS.split(text):
            if not part.strip():
                continue
            key = _key(part)
            model = self.models.get(key)
            if model is None:
                if key in self.models:
                    row.error("fits", _("Several brands have a model %(name)s: write “brand model”.")
                              % {"name": part.strip()})
                else:
                    row.error("fits", _("No asset model “%(name)s” in the catalogue.") % {"name": part.strip()})
            elif model not in found:
                found.append(model)
        return found

    def find(self, cleaned):
        index = self.by_code if self.match_field == "code" else self.by_name
        pk = index.get((cleaned.get(self.match_field) or "").casefold())
        return ConsumableItem.objects.filter(pk=pk).first() if pk else None

    def describe(self, cleaned):
        return cleaned.get(self.match_field) or cleaned.get("name", "")

    def save(self, cleaned, existing, row):
        fields = {name: cleaned[name] for name in ("code", "name", "unit", "specification") if cleaned[name]}
        for name in ("category", "reorder_level", "unit_price", "is_active"):
            if cleaned.get(name) is not None:
                fields[name] = cleaned[name]
        fits = cleaned.get("fits")
        if existing is None:
            item = self._save(row, fits=fits, **fields)
            if item is not None:
                self.by_code[item.code.casefold()] = item.pk
                self.by_name[item.name.casefold()] = item.pk
            return Action.CREATED, item
        changes = {name: value for name, value in fields.items() if getattr(existing, name) != value}
        if fits is not None and {m.pk for m in fits} == set(existing.fits.values_list("pk", flat=True)):
            fits = None
        if not changes and fits is None:
            return Action.UNCHANGED, existing
        return Action.UPDATED, self._save(row, item=existing, fits=fits, **changes)

    def _save(self, row: Row, **kwargs):
        """`services.save_item`, its validation errors (a code or name taken) put on their column."""
        try:
            return services.save_item(actor=self.user, **kwargs)
        except ValidationError as exc:
            columns = {c.field for c in self.columns}
            for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                for message in messages:
                    row.error(name if name in columns else None, message)
            return None


def _unit_price(raw: dict, row: Row) -> Decimal | None:
    """The unit-price cell: empty, or an amount of zero or more."""
    try:
        price = parse_decimal(raw.get("unit_price", ""))
    except ValueError as exc:
        row.error("unit_price", exc)
        return None
    if price is not None and price < 0:
        row.error("unit_price", _("The unit price cannot be negative."))
    return price


def _whole_number(text: str, row: Row, field_name: str) -> int | None:
    """A whole number of zero or more; "12.0" is 12, "1.5" and "-3" are errors."""
    try:
        value = Decimal((text or "").strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value():
        row.error(field_name, _("“%(value)s” is not a whole number.") % {"value": text})
        return None
    if value < 0:
        row.error(field_name, _("It cannot be negative."))
        return None
    return int(value)


class StockImporter(Importer):
    """Opening balances / a stock count (库存初始化、盘点): the counted quantity of a consumable at a
    location. Each row posts the adjustment that brings the balance there (CON-06)."""

    key = "consumables.stock"
    label = gettext_lazy("Consumables stock")
    model = StockBalance
    #: Not a column: "item code @ location code", so one item × location appears once per file.
    match_field = "line"
    columns = [
        Column("item", gettext_lazy("Consumable"),
               aliases=("耗材编号", "耗材编码", "耗材名称", "耗材", "编号", "名称", "品名", "item"), required=True,
               help=gettext_lazy("Code or name of the consumable in the catalogue."), example="HC-CF226A"),
        Column("location", gettext_lazy("Warehouse / location"),
               aliases=("库房", "仓库", "库房编号", "仓库编号", "存放地点", "地点", "库位", "位置", "location"),
               required=True, help=gettext_lazy("Code or unique name of the location."), example="WH"),
        Column("quantity", gettext_lazy("Counted quantity"),
               aliases=("数量", "库存数量", "盘点数量", "实盘数量", "实存数量", "结存数量", "期初数量", "库存", "quantity"),
               required=True,
               help=gettext_lazy("The stock there now: a whole number, zero or more. The difference to the current "
                                 "balance is posted as an adjustment."), example="12"),
        Column("unit_price", gettext_lazy("Unit price"), aliases=("单价", "价格", "unit_price"),
               help=gettext_lazy("Amount in yuan, kept on the movement."), example="380.00"),
        Column("note", gettext_lazy("Note"), aliases=("备注", "说明", "note"),
               help=gettext_lazy("Kept on the movement with the reason “stock import”."), example="2026年期初"),
    ]
    template_rows = [{"item": "HC-CF226A", "location": "WH", "quantity": "12", "unit_price": "380.00",
                      "note": "期初库存"}]
    permission_actions = ("view",)

    def check_permission(self) -> bool:
        return super().check_permission() and _is_keeper(self.user)

    def prepare(self, rows: list[Row]) -> None:
        from zhidu.assets.models import Location

        for row in rows:  # the duplicate message of run_import names the pair of columns
            row.headers = {**row.headers, "line": f"{row.headers.get('item', _('Consumable'))}+"
                                                  f"{row.headers.get('location', _('Warehouse / location'))}"}
        self.items: dict[str, ConsumableItem] = {}
        for item in ConsumableItem.objects.all():
            self.items.setdefault(item.name.casefold(), item)
        for item in ConsumableItem.objects.all():
            self.items[item.code.casefold()] = item  # the code wins over another item's name
        self.locations: dict[str, Location | None] = {}
        names: dict[str, list[Location]] = {}
        for location in Location.objects.filter(is_active=True):
            self.locations[location.code.casefold()] = location
            names.setdefault(location.name.casefold(), []).append(location)
        for name, found in names.items():
            self.locations.setdefault(name, found[0] if len(found) == 1 else None)

    def clean(self, raw, row):
        cleaned = {"note": _text(raw, "note")}
        item_text, location_text = _text(raw, "item"), _text(raw, "location")
        item = self.items.get(item_text.casefold()) if item_text else None
        if item_text and item is None:
            row.error("item", _("No consumable “%(value)s” in the catalogue (write its code or name).")
                      % {"value": item_text})
        location = self.locations.get(location_text.casefold()) if location_text else None
        if location_text and location is None:
            if location_text.casefold() in self.locations:
                row.error("location", _("Several locations are called %(name)s: write the code.")
                          % {"name": location_text})
            else:
                row.error("location", _("No location “%(value)s” (write its code or name).") % {"value": location_text})
        cleaned["item_obj"], cleaned["location_obj"] = item, location
        cleaned["quantity"] = _whole_number(raw["quantity"], row, "quantity") if _text(raw, "quantity") else None
        cleaned["unit_price"] = _unit_price(raw, row)
        if len(cleaned["note"]) > 400:
            row.error("note", _("The note is at most 400 characters."))
        if item is not None and location is not None:
            cleaned["line"] = f"{item.code}@{location.code}"
        return cleaned

    def find(self, cleaned):
        if cleaned.get("item_obj") is None or cleaned.get("location_obj") is None:
            return None
        return StockBalance.objects.filter(item=cleaned["item_obj"], location=cleaned["location_obj"]).first()

    def describe(self, cleaned):
        return cleaned.get("line", "")

    def save(self, cleaned, existing, row):
        item, location, quantity = cleaned["item_obj"], cleaned["location_obj"], cleaned["quantity"]
        reason = _("Stock import") + (f": {cleaned['note']}" if cleaned["note"] else "")
        movement = services.count_stock(item=item, location=location, quantity=quantity, reason=reason,
                                        actor=self.user, unit_price=cleaned.get("unit_price"))
        if movement is None:
            row.note(_("Balance already %(qty)d %(unit)s: no movement.") % {"qty": quantity, "unit": item.unit})
            return Action.UNCHANGED, None
        row.note(_("Adjustment %(delta)+d %(unit)s: %(before)d → %(after)d.")
                 % {"delta": movement.quantity, "unit": item.unit, "before": quantity - movement.quantity,
                    "after": quantity})
        return (Action.CREATED if existing is None else Action.UPDATED), movement
