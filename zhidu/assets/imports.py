"""Excel/CSV import of the hardware ledger (issue #3 "Across all three", AST-02), on
`zhidu.core.imports`.

Rows are matched on the asset number (default) or the serial number (chosen on the import
page): an existing card is updated (only the columns present and non-empty), otherwise a new
card is created through `assets.services.create_asset` (number ZC-YYYY-NNNNNN when empty).
Categories, models, suppliers and locations are resolved by name or code; a missing model or
supplier is created when the option is ticked. Every row is change-logged with source
"import" (the BaseModel signals, inside `run_import`).

Custody (AST-08, AST-09, 篇1 第十三条): the custodian of a NEW card is its opening balance —
the card is "in use" by that person and a custody period with reason "import" is opened. On an
UPDATE the custodian is never changed by an import: a different custodian is a row error
pointing to the custodian-change procedure (AST-09); the same goes for the status, which only
issue / return / stock-take / disposal change.

Lookups are loaded once per import (categories, models, suppliers, locations, units, people,
the existing cards of the file's keys), so a row costs only its own writes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.imports import (
    Action,
    Column,
    Importer,
    Row,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
)

from . import services
from .choices import AssetStatus
from .models import Asset, AssetCategory, AssetModel, Location, Supplier

STATUS_SYNONYMS = {
    "库存": AssetStatus.IN_STOCK, "在库": AssetStatus.IN_STOCK, "闲置": AssetStatus.IN_STOCK, "入库": AssetStatus.IN_STOCK,
    "备用": AssetStatus.IN_STOCK, "使用中": AssetStatus.IN_USE, "在用": AssetStatus.IN_USE, "正常": AssetStatus.IN_USE,
    "领用": AssetStatus.IN_USE, "已领用": AssetStatus.IN_USE, "维修": AssetStatus.IN_REPAIR,
    "维修中": AssetStatus.IN_REPAIR, "送修": AssetStatus.IN_REPAIR, "丢失": AssetStatus.LOST,
    "遗失": AssetStatus.LOST, "待报废": AssetStatus.TO_DISPOSE, "拟报废": AssetStatus.TO_DISPOSE,
}
KEY_CHUNK = 900


def _text(raw: dict, name: str) -> str:
    return (raw.get(name) or "").strip()


class AssetImporter(Importer):
    """The asset ledger (资产台账): one row per device."""

    key = "assets"
    label = gettext_lazy("Assets")
    model = Asset
    batch_size = services.BULK_BATCH
    match_field = "number"
    match_keys = [("number", gettext_lazy("Asset number")), ("serial_number", gettext_lazy("Serial number"))]
    options = [("create_missing", gettext_lazy("Create missing models and suppliers"))]
    columns = [
        Column("number", gettext_lazy("Asset number"),
               aliases=("资产编号", "资产编码", "资产号", "编号", "标签号", "设备编号", "number"),
               help=gettext_lazy("The number on the label; empty: a new number ZC-YYYY-NNNNNN is given. An existing "
                                 "number updates that card."), example="ZC-2024-000101"),
        Column("name", gettext_lazy("Asset name"), aliases=("资产名称", "设备名称", "名称", "name"), required_new=True,
               help=gettext_lazy("Name of the device."), example="笔记本电脑"),
        Column("category", gettext_lazy("Category"),
               aliases=("类别", "资产类别", "设备类别", "分类", "资产分类", "类型", "category"), required_new=True,
               help=gettext_lazy("Name or code of the asset category."), example="笔记本电脑"),
        Column("manufacturer", gettext_lazy("Brand / manufacturer"),
               aliases=("品牌/厂商", "品牌", "厂商", "厂家", "制造商", "生产厂家", "品牌厂商", "manufacturer"),
               help=gettext_lazy("Manufacturer of the model."), example="联想"),
        Column("model", gettext_lazy("Model"), aliases=("型号", "规格型号", "设备型号", "model"),
               help=gettext_lazy("Model name; with the brand it finds the model of the catalogue."),
               example="ThinkPad T14"),
        Column("serial_number", gettext_lazy("Serial number"),
               aliases=("序列号", "SN", "S/N", "sn号", "出厂编号", "serial_number"),
               help=gettext_lazy("Manufacturer's serial number; may be the match key."), example="PF3ABC12"),
        Column("configuration", gettext_lazy("Configuration"), aliases=("配置", "配置信息", "性能配置", "configuration"),
               help=gettext_lazy("Performance / configuration (PRC-07)."), example="i7/16G/512G SSD"),
        Column("supplier", gettext_lazy("Supplier"), aliases=("供应商", "供货商", "供货单位", "supplier"),
               help=gettext_lazy("Name of the supplier."), example="华信数码有限公司"),
        Column("purchase_date", gettext_lazy("Purchase date"),
               aliases=("购置日期", "购买日期", "采购日期", "购入日期", "purchase_date"),
               help=gettext_lazy("Date, e.g. 2024-03-01."), example="2024-03-01"),
        Column("purchase_price", gettext_lazy("Purchase price"),
               aliases=("购置价格", "原值", "购置金额", "价格", "金额", "单价", "资产原值", "purchase_price"),
               help=gettext_lazy("Amount in yuan."), example="6999.00"),
        Column("warranty_end", gettext_lazy("Warranty ends"),
               aliases=("保修截止", "保修截止日期", "保修到期", "保修期至", "保修到期日", "warranty_end"),
               help=gettext_lazy("Date the warranty ends."), example="2027-03-01"),
        Column("department", gettext_lazy("Department"),
               aliases=("使用部门", "部门", "所属部门", "使用单位", "管理部门", "department"),
               help=gettext_lazy("Code, unique name or path of the unit that uses the device; empty: the "
                                 "custodian's department."), example="综合管理部/信息中心"),
        Column("custodian", gettext_lazy("Custodian"),
               aliases=("使用人/责任人", "使用人", "责任人", "保管人", "领用人", "使用人工号", "责任人工号", "custodian"),
               help=gettext_lazy("Employee number or unique name. For a new card: the opening custodian. An "
                                 "existing card's custodian changes only through the change procedure (AST-09)."),
               example="HX0101"),
        Column("location", gettext_lazy("Location"), aliases=("存放地点", "地点", "位置", "存放位置", "安放地点", "location"),
               help=gettext_lazy("Code or unique name of the place."), example="A栋301"),
        Column("status", gettext_lazy("Status"), aliases=("状态", "资产状态", "使用状态", "设备状态", "status"),
               help=gettext_lazy("For a new card: 在库, 在用, 维修中, 丢失, 待报废 (default: 在用 with a custodian, "
                                 "else 在库). Not changed on existing cards."),
               example="在用", choices=("在库", "在用", "维修中", "丢失", "待报废")),
        Column("is_classified", gettext_lazy("Classified"), aliases=("涉密", "是否涉密", "涉密设备", "is_classified"),
               help=gettext_lazy("是 for classified (涉密) equipment."), example="否", choices=("是", "否")),
        Column("is_public", gettext_lazy("Public equipment"),
               aliases=("公共设备", "公共区域", "是否公共设备", "is_public"),
               help=gettext_lazy("是 for public-area / meeting-room equipment (AST-05)."), example="否",
               choices=("是", "否")),
        Column("notes", gettext_lazy("Notes"), aliases=("备注", "说明", "notes"), help=gettext_lazy("Free text."),
               example=""),
    ]
    template_rows = [
        {"number": "", "name": "笔记本电脑", "category": "笔记本电脑", "manufacturer": "联想", "model": "ThinkPad T14",
         "serial_number": "PF3ABC12", "configuration": "i7/16G/512G SSD", "supplier": "华信数码有限公司",
         "purchase_date": "2024-03-01", "purchase_price": "6999.00", "warranty_end": "2027-03-01",
         "department": "信息中心", "custodian": "HX0101", "location": "", "status": "在用", "is_classified": "否"},
    ]

    def __init__(self, *, user, **options):
        super().__init__(user=user, **options)
        # the per-category card fields (AST-01) as extra columns "CPU", "内存" … (header = label or key)
        self.columns = list(type(self).columns)
        self.attribute_keys: list[str] = []
        for schema in AssetCategory.objects.filter(is_active=True).values_list("field_schema", flat=True):
            for spec in schema or []:
                key = spec.get("key")
                if key and key not in self.attribute_keys:
                    self.attribute_keys.append(key)
                    self.columns.append(Column(f"attr_{key}", spec.get("label") or key, aliases=(key,),
                                               help=gettext_lazy("Card field of the category.")))

    # -- lookups, loaded once ---------------------------------------------------------------
    def prepare(self, rows: list[Row]) -> None:
        from zhidu.org.models import Person
        from zhidu.org.selectors import UnitIndex

        self.units = UnitIndex()
        self.categories: dict[str, AssetCategory] = {}
        for category in AssetCategory.objects.all():
            self.categories[category.code.casefold()] = category
            self.categories.setdefault(category.name.casefold(), category)
        self.models: dict[tuple[str, str], AssetModel] = {}
        self.models_by_name: dict[str, list[AssetModel]] = {}
        for model in AssetModel.objects.all():
            self._add_model(model)
        self.suppliers = {s.name.casefold(): s for s in Supplier.objects.all()}
        self.locations: dict[str, Location] = {}
        names: dict[str, list[Location]] = {}
        for location in Location.objects.all():
            self.locations[location.code.casefold()] = location
            names.setdefault(location.name.casefold(), []).append(location)
        for name, found in names.items():
            if len(found) == 1:
                self.locations.setdefault(name, found[0])
            else:
                self.locations.setdefault(name, None)  # ambiguous: the code must be used
        wanted = {_text(r.raw, "custodian") for r in rows} - {""}
        self.people_by_no: dict[str, Person] = {}
        self.people_by_name: dict[str, list[Person]] = {}
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), KEY_CHUNK):
            chunk = wanted_list[start:start + KEY_CHUNK]
            for person in Person.objects.filter(employee_no__in=chunk).select_related("department"):
                self.people_by_no[person.employee_no] = person
            for person in Person.objects.filter(name__in=chunk).select_related("department"):
                self.people_by_name.setdefault(person.name, []).append(person)
        self.existing: dict[str, int] = {}
        keys = sorted({_text(r.raw, self.match_field) for r in rows} - {""})
        for start in range(0, len(keys), KEY_CHUNK):
            chunk = keys[start:start + KEY_CHUNK]
            for pk, value in Asset.objects.filter(**{f"{self.match_field}__in": chunk}).values_list(
                    "pk", self.match_field).order_by("pk"):
                self.existing.setdefault(value, pk)
        self.serials_seen: set[str] = set()
        self.permitted_units: dict[int, bool] = {}

    def _add_model(self, model: AssetModel) -> None:
        self.models[(model.manufacturer.casefold(), model.name.casefold())] = model
        self.models_by_name.setdefault(model.name.casefold(), []).append(model)

    # -- cleaning ---------------------------------------------------------------------------
    def clean(self, raw, row):
        cleaned = {name: _text(raw, name) for name in (
            "number", "name", "manufacturer", "model", "serial_number", "configuration", "supplier", "notes",
            "category", "department", "custodian", "location")}
        cleaned["attributes"] = {key: _text(raw, f"attr_{key}") for key in self.attribute_keys
                                 if _text(raw, f"attr_{key}")}
        if cleaned["category"]:
            category = self.categories.get(cleaned["category"].casefold())
            if category is None:
                row.error("category", _("No asset category “%(value)s” (write its name or code).")
                          % {"value": cleaned["category"]})
            cleaned["category_obj"] = category
        for name in ("purchase_date", "warranty_end"):
            try:
                cleaned[name] = parse_date(raw.get(name, ""))
            except ValueError as exc:
                row.error(name, exc)
        try:
            cleaned["purchase_price"] = parse_decimal(raw.get("purchase_price", ""))
            if cleaned["purchase_price"] is not None and cleaned["purchase_price"] < 0:
                row.error("purchase_price", _("The purchase price cannot be negative."))
        except ValueError as exc:
            row.error("purchase_price", exc)
        if cleaned.get("purchase_date") and cleaned.get("warranty_end") and \
                cleaned["warranty_end"] < cleaned["purchase_date"]:
            row.error("warranty_end", _("The warranty cannot end before the purchase date."))
        for name in ("is_classified", "is_public"):
            if _text(raw, name):
                try:
                    cleaned[name] = parse_bool(raw[name])
                except ValueError as exc:
                    row.error(name, exc)
        if _text(raw, "status"):
            try:
                cleaned["status"] = parse_choice(raw["status"], AssetStatus.choices, synonyms=STATUS_SYNONYMS)
            except ValueError as exc:
                row.error("status", exc)
        if cleaned["department"]:
            try:
                cleaned["department_obj"] = self.units.resolve(cleaned["department"])
            except ValueError as exc:
                row.error("department", exc)
        if cleaned["custodian"]:
            person = self.people_by_no.get(cleaned["custodian"])
            if person is None:
                named = self.people_by_name.get(cleaned["custodian"], [])
                if len(named) == 1:
                    person = named[0]
                elif len(named) > 1:
                    row.error("custodian", _("Several people are called %(name)s: write the employee number.")
                              % {"name": cleaned["custodian"]})
                else:
                    row.error("custodian", _("No person with employee number or name %(value)s.")
                              % {"value": cleaned["custodian"]})
            cleaned["custodian_obj"] = person
        if cleaned["location"]:
            key = cleaned["location"].casefold()
            location = self.locations.get(key)
            if location is None:
                if key in self.locations:
                    row.error("location", _("Several places are called %(name)s: write the code.")
                              % {"name": cleaned["location"]})
                else:
                    row.error("location", _("No location “%(value)s” (write its code or name).")
                              % {"value": cleaned["location"]})
            cleaned["location_obj"] = location
        if len(cleaned["number"]) > 40:
            row.error("number", _("The asset number is at most 40 characters."))
        serial = cleaned["serial_number"]
        if serial and self.match_field != "serial_number":
            if serial.casefold() in self.serials_seen:
                row.note(_("The serial number %(sn)s appears more than once in the file.") % {"sn": serial})
            self.serials_seen.add(serial.casefold())
        return cleaned

    def find(self, cleaned):
        key = cleaned.get(self.match_field) or ""
        pk = self.existing.get(key) if key else None
        if pk is None:
            return None
        return Asset.objects.select_related("category", "department", "custodian").filter(pk=pk).first()

    def describe(self, cleaned):
        return cleaned.get(self.match_field) or cleaned.get("name", "")

    # -- resolving with creation ------------------------------------------------------------
    def _model(self, cleaned, category, row):
        name, manufacturer = cleaned["model"], cleaned["manufacturer"]
        if not name:
            return None
        if manufacturer:
            model = self.models.get((manufacturer.casefold(), name.casefold()))
        else:
            found = self.models_by_name.get(name.casefold(), [])
            if len(found) > 1:
                row.error("model", _("Several brands have a model %(name)s: fill in the brand.") % {"name": name})
                return None
            model = found[0] if found else None
        if model is not None:
            return model
        if not self.option_values.get("create_missing"):
            row.error("model", _("No model %(model)s in the catalogue (tick “Create missing models and "
                                 "suppliers” to add it).") % {"model": f"{manufacturer} {name}".strip()})
            return None
        if not manufacturer:
            row.error("manufacturer", _("The brand is needed to add the model %(name)s.") % {"name": name})
            return None
        if category is None:
            return None
        model = services.save_model(actor=self.user, category=category, manufacturer=manufacturer, name=name)
        self._add_model(model)
        row.note(_("New model “%(model)s” added.") % {"model": model})
        return model

    def _supplier(self, cleaned, row):
        name = cleaned["supplier"]
        if not name:
            return None
        supplier = self.suppliers.get(name.casefold())
        if supplier is not None:
            return supplier
        if not self.option_values.get("create_missing"):
            row.error("supplier", _("No supplier %(name)s (tick “Create missing models and suppliers” to add it).")
                      % {"name": name})
            return None
        supplier = services.save_supplier(actor=self.user, name=name)
        self.suppliers[name.casefold()] = supplier
        row.note(_("New supplier “%(name)s” added.") % {"name": name})
        return supplier

    def _may_act(self, perm: str, unit) -> bool:
        from zhidu.org.selectors import can_act_in_unit

        key = (perm, unit.pk if unit else None)
        if key not in self.permitted_units:
            self.permitted_units[key] = can_act_in_unit(self.user, perm, unit)
        return self.permitted_units[key]

    # -- saving -----------------------------------------------------------------------------
    def save(self, cleaned, existing, row):
        if existing is None:
            return self._create(cleaned, row)
        return self._update(cleaned, existing, row)

    def _create(self, cleaned, row):
        card = self.build_new(cleaned, row)
        if card is None:
            return Action.ERROR, None
        return Action.CREATED, self.create_new([card])[0]

    def build_new(self, cleaned, row):
        """The card of a new row (AST-08 opening balance: status and custodian), not yet written."""
        category = cleaned.get("category_obj")
        person = cleaned.get("custodian_obj")
        department = cleaned.get("department_obj") or (person.department if person else None)
        if department is None:
            row.error("department", _("A new card needs the department (or a custodian whose department is used)."))
            return None
        if not self._may_act("assets.add_asset", department):
            row.error("department", _("You may not add assets to %(unit)s.") % {"unit": department})
            return None
        is_public = bool(cleaned.get("is_public"))
        status = cleaned.get("status") or (AssetStatus.IN_USE if person or is_public else AssetStatus.IN_STOCK)
        if status not in services.OPENING_STATUSES:
            row.error("status", _("An import cannot record the status “%(status)s”: use the procedure for it.")
                      % {"status": AssetStatus(status).label})
            return None
        if person is not None and status != AssetStatus.IN_USE:
            row.error("status", _("A device with a custodian is “in use”; leave the custodian empty for “%(status)s”.")
                      % {"status": AssetStatus(status).label})
            return None
        if status == AssetStatus.IN_USE and person is None and not is_public:
            row.error("custodian", _("A device in use needs a custodian, unless it is public equipment (AST-08)."))
            return None
        model = self._model(cleaned, category, row)
        supplier = self._supplier(cleaned, row)
        if not row.ok:
            return None
        return {
            "number": cleaned["number"] or None, "name": cleaned["name"], "category": category,
            "department": department, "model": model, "serial_number": cleaned["serial_number"],
            "configuration": cleaned["configuration"], "attributes": cleaned["attributes"], "supplier": supplier,
            "purchase_date": cleaned.get("purchase_date"), "purchase_price": cleaned.get("purchase_price"),
            "warranty_end": cleaned.get("warranty_end"), "location": cleaned.get("location_obj"),
            "is_public": is_public, "is_classified": bool(cleaned.get("is_classified")), "notes": cleaned["notes"],
            "status": status, "custodian": person,
        }

    def create_new(self, built):
        assets = services.create_assets(actor=self.user, cards=built)
        for asset in assets:
            key = getattr(asset, self.match_field)
            if key:
                self.existing[key] = asset.pk
        return assets

    def _update(self, cleaned, asset, row):
        if not Asset.objects.restrict(self.user, "change").filter(pk=asset.pk).exists():
            row.error(self.match_field, _("You may not change the asset %(asset)s.") % {"asset": asset})
            return Action.ERROR, None
        person = cleaned.get("custodian_obj")
        if person is not None and person.pk != asset.custodian_id:
            row.error("custodian", _(
                "The custodian of %(number)s is %(current)s: an import does not change it. Use the custodian-change "
                "procedure (AST-09, with a new responsibility letter)."
            ) % {"number": asset.number, "current": asset.custodian or _("nobody")})
            return Action.ERROR, None
        if cleaned.get("status") and cleaned["status"] != asset.status:
            row.error("status", _("The status of %(number)s is “%(current)s”: an import does not change it; use issue, "
                                  "return, stock-take or disposal.")
                      % {"number": asset.number, "current": asset.get_status_display()})
            return Action.ERROR, None
        changes = {}
        category = cleaned.get("category_obj") or asset.category
        if cleaned.get("category_obj") and category.pk != asset.category_id:
            changes["category"] = category
        department = cleaned.get("department_obj")
        if department is not None and department.pk != asset.department_id:
            if not self._may_act("assets.change_asset", department):
                row.error("department", _("You may not move assets to %(unit)s.") % {"unit": department})
                return Action.ERROR, None
            changes["department"] = department
        if self.match_field != "number" and cleaned["number"] and cleaned["number"] != asset.number:
            changes["number"] = cleaned["number"]
        for name in ("name", "serial_number", "configuration", "notes"):
            if name == self.match_field:
                continue
            if cleaned[name] and cleaned[name] != getattr(asset, name):
                changes[name] = cleaned[name]
        for name in ("purchase_date", "purchase_price", "warranty_end"):
            if cleaned.get(name) is not None and cleaned[name] != getattr(asset, name):
                changes[name] = cleaned[name]
        for name in ("is_classified", "is_public"):
            if cleaned.get(name) is not None and cleaned[name] != getattr(asset, name):
                changes[name] = cleaned[name]
        if cleaned["attributes"] and any(asset.attributes.get(k) != v for k, v in cleaned["attributes"].items()):
            changes["attributes"] = {**(asset.attributes or {}), **cleaned["attributes"]}
        if cleaned.get("location_obj") is not None and cleaned["location_obj"].pk != asset.location_id:
            changes["location"] = cleaned["location_obj"]
        model = self._model(cleaned, category, row)
        if model is not None and model.pk != asset.model_id:
            changes["model"] = model
        supplier = self._supplier(cleaned, row)
        if supplier is not None and supplier.pk != asset.supplier_id:
            changes["supplier"] = supplier
        if not row.ok:
            return Action.ERROR, None
        if not changes:
            return Action.UNCHANGED, asset
        asset = services.update_asset(asset=asset, actor=self.user, **changes)
        return Action.UPDATED, asset

