"""Services of the hardware ledger (AST-01, AST-02, AST-05, AST-08, AST-14, PRC-07, PRC-17).

Every function is keyword-only, runs in `transaction.atomic`, checks its guards and raises
`RuleViolation` / `ValidationError` with a translated message; the change log is written by the
BaseModel signals, workflow steps write a timeline event.

The asset card's `status`, `custodian` (and the custody history) are NOT edited here: only the
custody, stock-take and disposal services change them, so every change leaves a record (AST-09).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from zhidu.core.bulk import insert_rows
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.numbering import next_number, next_numbers

from ..choices import AssetStatus, CategoryKind, FieldType
from ..models import Asset, AssetCategory, AssetModel, CustodyPeriod, Location, Supplier

CENT = Decimal("0.01")
NUMBER_SERIES = "ZC"  # asset numbers ZC-YYYY-NNNNNN
FIXED_ASSET_SERIES = "GZ"  # fixed-asset card numbers GZ-YYYY-NNNNNN (转固)

#: Card fields the asset form and the API accept; status and custodian are not among them.
CARD_FIELDS = (
    "name", "category", "model", "serial_number", "configuration", "attributes", "supplier", "purchase_date",
    "purchase_price", "warranty_end", "department", "location", "is_public", "is_classified", "bundled_materials",
    "notes",
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def add_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    """One timeline event on `obj` (an asset)."""
    event = _event(obj, verb=verb, actor=actor, message=message, data=data)
    event.save()
    return event


def _event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    """An unsaved timeline event (for `bulk_create`)."""
    return TimelineEvent(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                         actor=_user(actor), verb=verb, message=message, data=data or {})


# --------------------------------------------------------------------------- category fields


def _field(key, label, type_=FieldType.TEXT, required=False, choices=None):
    spec = {"key": key, "label": label, "type": str(type_), "required": required}
    if choices:
        spec["choices"] = list(choices)
    return spec


#: The AST-01 kinds with their card fields (labels in Chinese: this is data the organisation
#: edits, seeded in its language), depreciation years and residual rate (直线法, 5% 残值).
CATALOGUE: list[dict] = [
    {"code": "computer-desktop", "name": "台式计算机", "kind": CategoryKind.COMPUTER, "years": 5, "fields": [
        _field("cpu", "CPU", required=True), _field("memory_gb", "内存(GB)", FieldType.NUMBER, True),
        _field("disk", "硬盘"), _field("os", "操作系统", FieldType.CHOICE, False,
                                        ["Windows 11", "Windows 10", "统信 UOS", "麒麟 Kylin", "Linux"]),
        _field("mac", "MAC 地址"), _field("monitor", "显示器")]},
    {"code": "computer-laptop", "name": "笔记本电脑", "kind": CategoryKind.COMPUTER, "years": 4, "fields": [
        _field("cpu", "CPU", required=True), _field("memory_gb", "内存(GB)", FieldType.NUMBER, True),
        _field("disk", "硬盘"), _field("os", "操作系统", FieldType.CHOICE, False,
                                        ["Windows 11", "Windows 10", "macOS", "统信 UOS", "麒麟 Kylin"]),
        _field("mac", "MAC 地址"), _field("screen_inch", "屏幕(英寸)", FieldType.NUMBER)]},
    {"code": "monitor", "name": "显示器", "kind": CategoryKind.PERIPHERAL, "years": 5, "fields": [
        _field("screen_inch", "尺寸(英寸)", FieldType.NUMBER), _field("resolution", "分辨率")]},
    {"code": "server", "name": "服务器", "kind": CategoryKind.SERVER, "years": 6, "fields": [
        _field("cpu", "CPU", required=True), _field("memory_gb", "内存(GB)", FieldType.NUMBER, True),
        _field("disk", "存储配置"), _field("os", "操作系统"), _field("management_ip", "管理 IP"),
        _field("rack_position", "机柜位置", required=True), _field("power_supplies", "电源数", FieldType.NUMBER)]},
    {"code": "storage", "name": "存储设备", "kind": CategoryKind.SERVER, "years": 6, "fields": [
        _field("capacity_tb", "容量(TB)", FieldType.NUMBER, True), _field("raid", "RAID 级别"),
        _field("management_ip", "管理 IP"), _field("rack_position", "机柜位置")]},
    {"code": "network-switch", "name": "交换机", "kind": CategoryKind.NETWORK, "years": 6, "fields": [
        _field("ports", "端口数", FieldType.NUMBER, True), _field("management_ip", "管理 IP"),
        _field("layer", "层级", FieldType.CHOICE, False, ["核心", "汇聚", "接入"]), _field("rack_position", "机柜位置"),
        _field("poe", "支持 PoE", FieldType.BOOL)]},
    {"code": "network-router", "name": "路由器/防火墙", "kind": CategoryKind.NETWORK, "years": 6, "fields": [
        _field("ports", "端口数", FieldType.NUMBER), _field("management_ip", "管理 IP", required=True),
        _field("rack_position", "机柜位置")]},
    {"code": "network-ap", "name": "无线 AP", "kind": CategoryKind.NETWORK, "years": 5, "fields": [
        _field("management_ip", "管理 IP"), _field("wifi_standard", "无线标准", FieldType.CHOICE, False,
                                                   ["Wi-Fi 5", "Wi-Fi 6", "Wi-Fi 7"])]},
    {"code": "printer", "name": "打印机", "kind": CategoryKind.OFFICE, "years": 5, "fields": [
        _field("print_type", "打印方式", FieldType.CHOICE, True, ["激光", "喷墨", "针式", "热敏"]),
        _field("color", "彩色", FieldType.BOOL), _field("duplex", "双面打印", FieldType.BOOL),
        _field("paper_size", "最大幅面", FieldType.CHOICE, False, ["A4", "A3"]), _field("ip_address", "IP 地址")]},
    {"code": "mfp", "name": "复印机/多功能一体机", "kind": CategoryKind.OFFICE, "years": 5, "fields": [
        _field("print_type", "打印方式", FieldType.CHOICE, True, ["激光", "喷墨"]),
        _field("color", "彩色", FieldType.BOOL), _field("duplex", "双面打印", FieldType.BOOL),
        _field("paper_size", "最大幅面", FieldType.CHOICE, False, ["A4", "A3"]), _field("ip_address", "IP 地址")]},
    {"code": "projector", "name": "投影仪", "kind": CategoryKind.OFFICE, "years": 5, "fields": [
        _field("lumens", "亮度(流明)", FieldType.NUMBER), _field("resolution", "分辨率"),
        _field("lamp_hours", "灯泡已用小时", FieldType.NUMBER)]},
    {"code": "camera", "name": "数码相机/摄像机", "kind": CategoryKind.DIGITAL, "years": 5, "fields": [
        _field("sensor", "传感器"), _field("lens", "镜头")]},
    {"code": "ups", "name": "UPS 电源", "kind": CategoryKind.PERIPHERAL, "years": 5, "fields": [
        _field("capacity_kva", "容量(kVA)", FieldType.NUMBER), _field("battery_date", "电池更换日期", FieldType.DATE)]},
    {"code": "public-display", "name": "会议/公共显示设备", "kind": CategoryKind.PUBLIC, "years": 5, "fields": [
        _field("screen_inch", "尺寸(英寸)", FieldType.NUMBER)]},
    {"code": "teaching", "name": "电教设备", "kind": CategoryKind.TEACHING, "years": 5, "fields": [
        _field("classroom", "教室")]},
    {"code": "peripheral", "name": "外设及辅助设施", "kind": CategoryKind.PERIPHERAL, "years": 3, "fixed": False,
     "fields": []},
    {"code": "other", "name": "其他设备", "kind": CategoryKind.OTHER, "years": 5, "fields": []},
]


@transaction.atomic
def seed_catalogue() -> dict:
    """Create the AST-01 categories that are missing (idempotent; `manage.py seed_asset_catalogue`).

    Existing categories are left as the organisation edited them.
    """
    created = 0
    for spec in CATALOGUE:
        if AssetCategory.objects.filter(code=spec["code"]).exists():
            continue
        AssetCategory.objects.create(
            code=spec["code"], name=spec["name"], kind=spec["kind"], field_schema=spec["fields"],
            depreciation_years=spec["years"], residual_rate=Decimal("0.050"), is_fixed_asset=spec.get("fixed", True),
        )
        created += 1
    return {"categories_created": created}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_schema(schema) -> list[dict]:
    """A category's `field_schema`, checked: keys are identifiers, unique; types known."""
    if not isinstance(schema, list):
        raise ValidationError({"field_schema": _("The card fields must be a list.")})
    seen = set()
    result = []
    for index, item in enumerate(schema, start=1):
        if not isinstance(item, dict) or not str(item.get("key", "")).strip():
            raise ValidationError({"field_schema": _("Card field %(n)d needs a key.") % {"n": index}})
        key = str(item["key"]).strip()
        if not key.replace("_", "").isalnum() or not key.isascii() or key[0].isdigit():
            raise ValidationError({"field_schema": _("Card field key “%(key)s” must be letters, digits and "
                                                     "underscores.") % {"key": key}})
        if key in seen:
            raise ValidationError({"field_schema": _("Card field key “%(key)s” is repeated.") % {"key": key}})
        seen.add(key)
        kind = item.get("type") or FieldType.TEXT
        if kind not in FieldType.values:
            raise ValidationError({"field_schema": _("Card field “%(key)s” has an unknown type “%(type)s”.")
                                   % {"key": key, "type": kind}})
        choices = [str(c) for c in item.get("choices") or []]
        if kind == FieldType.CHOICE and not choices:
            raise ValidationError({"field_schema": _("Card field “%(key)s” is a choice but has no choices.")
                                   % {"key": key}})
        spec = {"key": key, "label": str(item.get("label") or key), "type": str(kind),
                "required": bool(item.get("required"))}
        if choices:
            spec["choices"] = choices
        result.append(spec)
    return result


def validate_attributes(category: AssetCategory, attributes: dict | None) -> dict:
    """The asset's category fields, typed and checked against `category.field_schema` (AST-01/02).

    Returns the cleaned values (numbers as int/str-decimal, dates ISO, booleans); unknown keys
    are dropped. Raises ValidationError with one message per field, keyed `attr_<key>` (the
    name of the form field; the API shows the same keys).
    """
    attributes = attributes or {}
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": _("The category fields must be an object.")})
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for spec in category.field_schema or []:
        key = spec["key"]
        label = spec.get("label") or key
        value = attributes.get(key)
        kind = spec.get("type") or FieldType.TEXT
        if kind == FieldType.BOOL:
            if isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes", "on", "是", "y")
            cleaned[key] = bool(value)
            continue
        if _is_blank(value):
            if spec.get("required"):
                errors[f"attr_{key}"] = [_("“%(label)s” is required for %(category)s.")
                                         % {"label": label, "category": category.name}]
            continue
        if kind == FieldType.NUMBER:
            try:
                number = Decimal(str(value).strip())
                if not number.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors[f"attr_{key}"] = [_("“%(label)s” must be a number.") % {"label": label}]
                continue
            cleaned[key] = int(number) if number == number.to_integral_value() else float(number)
        elif kind == FieldType.DATE:
            parsed = value if isinstance(value, datetime.date) else parse_date(str(value).strip())
            if parsed is None:
                errors[f"attr_{key}"] = [_("“%(label)s” must be a date (YYYY-MM-DD).") % {"label": label}]
                continue
            cleaned[key] = parsed.isoformat()
        elif kind == FieldType.CHOICE:
            text = str(value).strip()
            if text not in (spec.get("choices") or []):
                errors[f"attr_{key}"] = [_("“%(value)s” is not one of the choices of “%(label)s”.")
                                         % {"value": text, "label": label}]
                continue
            cleaned[key] = text
        else:
            cleaned[key] = str(value).strip()[:500]
    if errors:
        raise ValidationError(errors)
    return cleaned


# --------------------------------------------------------------------------- depreciation


def _months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months of use: depreciation starts the month after capitalisation (直线法, 当月增加次月计提)."""
    return max(0, (end.year - start.year) * 12 + (end.month - start.month))


def depreciated_value(asset: Asset, *, on: datetime.date | None = None) -> Decimal | None:
    """The book value of `asset` on `on` (default today): straight-line, monthly, over the
    category's `depreciation_years`, down to the residual value (price × residual_rate).

    Depreciation runs from the month after `capitalised_on` (or the purchase date when the
    asset was never capitalised). A category that is not a fixed asset keeps its price. None
    when the price is unknown. Used by the compensation of damage and loss (VAR-12: 按折旧后
    价值赔偿) and by the dashboard's value by category.
    """
    price = asset.purchase_price
    if price is None:
        return None
    price = Decimal(price)
    category = asset.category
    start = asset.capitalised_on or asset.purchase_date
    if not category.is_fixed_asset or start is None:
        return price.quantize(CENT)
    on = on or timezone.localdate()
    residual = (price * Decimal(category.residual_rate)).quantize(CENT, ROUND_HALF_UP)
    total_months = max(1, int(category.depreciation_years) * 12)
    months = min(_months_between(start, on), total_months)
    monthly = (price - residual) / total_months
    value = price - monthly * months
    return max(residual, value.quantize(CENT, ROUND_HALF_UP))


# --------------------------------------------------------------------------- asset cards


def _money(value, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 4299.00.")}) from None
    if amount < 0:
        raise ValidationError({field: _("The purchase price cannot be negative.")})
    return amount


def _check_card(values: dict) -> None:
    errors = {}
    if _is_blank(values.get("name")):
        errors["name"] = _("The name is required.")
    if values.get("category") is None:
        errors["category"] = _("The category is required.")
    if values.get("department") is None:
        errors["department"] = _("The department is required.")
    model = values.get("model")
    category = values.get("category")
    if model is not None and category is not None and model.category_id != category.pk:
        errors["model"] = _("The model %(model)s belongs to the category %(category)s.") % {
            "model": model, "category": model.category}
    purchase, warranty = values.get("purchase_date"), values.get("warranty_end")
    if purchase and warranty and warranty < purchase:
        errors["warranty_end"] = _("The warranty cannot end before the purchase date.")
    if errors:
        raise ValidationError(errors)


def allocate_number(*, year: int | None = None) -> str:
    """The next asset number ZC-YYYY-NNNNNN (inside the saving transaction)."""
    return next_number(NUMBER_SERIES, year=year)


def _clean_number(number: str | None, *, exclude_pk=None) -> str | None:
    number = (number or "").strip()
    if not number:
        return None
    if len(number) > 40:
        raise ValidationError({"number": _("The asset number is at most 40 characters.")})
    if Asset.objects.filter(number=number).exclude(pk=exclude_pk).exists():
        raise ValidationError({"number": _("Asset number %(number)s is already used.") % {"number": number}})
    return number


@transaction.atomic
def create_asset(*, actor, name: str, category: AssetCategory, department, number: str | None = None,
                 model: AssetModel | None = None, serial_number: str = "", configuration: str = "",
                 attributes: dict | None = None, supplier: Supplier | None = None,
                 purchase_date: datetime.date | None = None, purchase_price=None,
                 warranty_end: datetime.date | None = None, location: Location | None = None,
                 is_public: bool = False, is_classified: bool = False, notes: str = "",
                 bundled_materials: str = "", stock_in_line=None, capitalise_now: bool | None = None) -> Asset:
    """Register an asset card, in stock (AST-02). Number ZC-YYYY-NNNNNN unless given.

    Public-area / meeting-room equipment (`is_public`) is looked after by the IT authority as
    pseudo-custodian (AST-05). A fixed-asset category is capitalised (转固) at once unless
    `capitalise_now=False`.
    """
    card = {"name": name, "category": category, "department": department, "number": number, "model": model,
            "serial_number": serial_number, "configuration": configuration, "attributes": attributes,
            "supplier": supplier, "purchase_date": purchase_date, "purchase_price": purchase_price,
            "warranty_end": warranty_end, "location": location, "is_public": is_public,
            "is_classified": is_classified, "notes": notes, "bundled_materials": bundled_materials,
            "stock_in_line": stock_in_line, "capitalise_now": capitalise_now}
    return create_assets(actor=actor, cards=[card])[0]


#: The statuses an opening balance may record (AST-08): "disposed" needs a disposal record
#: (DSP-04), a loan its loan record.
OPENING_STATUSES = (AssetStatus.IN_STOCK, AssetStatus.IN_USE, AssetStatus.IN_REPAIR, AssetStatus.LOST,
                    AssetStatus.TO_DISPOSE)
CUSTODY_REASON_OPENING = "import"
BULK_BATCH = 500


def _new_card(card: dict) -> Asset:
    """An unsaved card from `create_asset`'s arguments, checked (raises ValidationError)."""
    category = card["category"]
    values = {"name": (card.get("name") or "").strip(), "category": category, "department": card.get("department"),
              "model": card.get("model"), "purchase_date": card.get("purchase_date"),
              "warranty_end": card.get("warranty_end")}
    _check_card(values)
    status = card.get("status") or AssetStatus.IN_STOCK
    custodian = card.get("custodian")
    if status not in OPENING_STATUSES:
        raise ValidationError({"status": _("An opening balance cannot record the status “%(status)s”: use the "
                                           "procedure for it.") % {"status": AssetStatus(status).label}})
    if custodian is not None and status != AssetStatus.IN_USE:
        raise ValidationError({"custodian": _("Only a device in use has a custodian.")})
    if status == AssetStatus.IN_USE and custodian is None and not card.get("is_public"):
        raise ValidationError({"custodian": _("A device in use needs a custodian, unless it is public equipment "
                                              "(AST-08).")})
    number = (card.get("number") or "").strip()
    if len(number) > 40:
        raise ValidationError({"number": _("The asset number is at most 40 characters.")})
    return Asset(
        number=number, name=values["name"][:200], category=category, model=card.get("model"),
        serial_number=(card.get("serial_number") or "").strip()[:100],
        configuration=(card.get("configuration") or "").strip(),
        attributes=validate_attributes(category, card.get("attributes")), supplier=card.get("supplier"),
        purchase_date=card.get("purchase_date"), purchase_price=_money(card.get("purchase_price"),
                                                                       field="purchase_price"),
        warranty_end=card.get("warranty_end"), status=status, custodian=custodian,
        department=card["department"], location=card.get("location"), is_public=bool(card.get("is_public")),
        is_classified=bool(card.get("is_classified")), notes=(card.get("notes") or "").strip(),
        bundled_materials=(card.get("bundled_materials") or "").strip(), stock_in_line=card.get("stock_in_line"),
    )


@transaction.atomic
def create_assets(*, actor, cards: list[dict]) -> list[Asset]:
    """Register many asset cards at once (`create_asset`'s arguments, one dict per card): the
    same checks, numbers, capitalisation, change log and timeline as one by one, written in
    blocks of 500 — an import of 100,000 rows (issue #3) costs a few queries per block.

    A card may carry an opening balance (AST-08, imported ledgers): `status` (OPENING_STATUSES)
    and, in use, its `custodian`; a held card gets its open custody period with reason "import"
    (no letter: the letter of an opening balance is on paper; the next issue or change creates
    one). The whole batch is refused (ValidationError naming the card) when one card is wrong.
    """
    from zhidu.core.changelog import record_created

    assets = []
    for index, card in enumerate(cards):
        try:
            assets.append(_new_card(card))
        except ValidationError as exc:
            if len(cards) == 1:
                raise
            raise ValidationError(_("Card %(n)d: %(errors)s") % {"n": index + 1, "errors": "; ".join(exc.messages)})\
                from exc
    given = [a.number for a in assets if a.number]
    if len(set(given)) != len(given):
        raise ValidationError({"number": _("An asset number appears twice in the batch.")})
    for start in range(0, len(given), BULK_BATCH):
        used = list(Asset.objects.filter(number__in=given[start:start + BULK_BATCH]).values_list("number", flat=True))
        if used:
            raise ValidationError({"number": _("Asset number %(number)s is already used.") % {"number": used[0]}})
    unnumbered = [a for a in assets if not a.number]
    for asset, number in zip(unnumbered, next_numbers(NUMBER_SERIES, len(unnumbered)), strict=True):
        asset.number = number
    today = timezone.localdate()
    by_year: dict[int, list[Asset]] = {}
    for asset, card in zip(assets, cards, strict=True):
        capitalise_now = card.get("capitalise_now")
        if capitalise_now is None:
            capitalise_now = asset.category.is_fixed_asset
        if capitalise_now:
            asset.capitalised_on = asset.purchase_date or today
            by_year.setdefault(asset.capitalised_on.year, []).append(asset)
    for year, group in sorted(by_year.items()):
        for asset, number in zip(group, next_numbers(FIXED_ASSET_SERIES, len(group), year=year), strict=True):
            asset.fixed_asset_number = number
    Asset.objects.bulk_create(assets, batch_size=BULK_BATCH)
    record_created(assets)
    periods = [CustodyPeriod(asset=a, custodian=a.custodian, department_id=a.department_id, started=timezone.now(),
                             reason=CUSTODY_REASON_OPENING)
               for a in assets if a.status == AssetStatus.IN_USE]
    CustodyPeriod.objects.bulk_create(periods, batch_size=BULK_BATCH)
    record_created(periods)
    events = []
    for asset in assets:
        events.append(_event(asset, verb="asset_registered", actor=actor,
                             message=_("Asset card %(number)s registered") % {"number": asset.number}))
        if asset.fixed_asset_number:
            events.append(_event(asset, verb="capitalised", actor=actor,
                                 message=_("Capitalised as fixed asset %(no)s") % {"no": asset.fixed_asset_number},
                                 data={"fixed_asset_number": asset.fixed_asset_number}))
        if asset.status != AssetStatus.IN_STOCK:
            events.append(_event(asset, verb="imported", actor=actor, message=_(
                "Opening balance imported: %(status)s%(who)s") % {
                "status": AssetStatus(asset.status).label, "who": f" · {asset.custodian}" if asset.custodian else ""},
                data={"status": asset.status, "custodian": asset.custodian_id}))
    insert_rows(TimelineEvent, events)
    return assets


@transaction.atomic
def update_asset(*, asset: Asset, actor, **changes) -> Asset:
    """Edit the card's data (CARD_FIELDS and `number`). Status and custodian are refused here:
    they change only through issue / return / custodian change / stock-take / disposal (AST-09)."""
    forbidden = {"status", "custodian"} & set(changes)
    if forbidden:
        raise RuleViolation(_("The status and the custodian change only through issue, return or the custodian-"
                              "change procedure (AST-09), not by editing the card."), code="not_editable",
                            article="AST-09")
    unknown = set(changes) - set(CARD_FIELDS) - {"number"}
    if unknown:
        raise RuleViolation(_("Unknown card field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                            code="invalid")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    values = {name: getattr(asset, name) for name in ("name", "category", "department", "model", "purchase_date",
                                                      "warranty_end")}
    values.update({k: v for k, v in changes.items() if k in values})
    _check_card(values)
    if "number" in changes:
        number = _clean_number(changes.pop("number"), exclude_pk=asset.pk)
        if number:
            asset.number = number
    category = changes.get("category", asset.category)
    if "attributes" in changes or "category" in changes:
        changes["attributes"] = validate_attributes(category, changes.get("attributes", asset.attributes))
    if "purchase_price" in changes:
        changes["purchase_price"] = _money(changes["purchase_price"], field="purchase_price")
    for text in ("name", "serial_number", "configuration", "bundled_materials", "notes"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    for name, value in changes.items():
        setattr(asset, name, value)
    asset.save()
    return asset


@transaction.atomic
def capitalise(*, asset: Asset, actor, on: datetime.date | None = None, fixed_asset_number: str = "") -> Asset:
    """转固: give the asset its fixed-asset card number (GZ-YYYY-NNNNNN unless given) and date
    (PRC-17: the purchase ends in the fixed-asset register). Refused twice."""
    asset = Asset.objects.select_for_update().select_related("category").get(pk=asset.pk)
    if asset.capitalised_on:
        raise Conflict(_("%(number)s was already capitalised on %(date)s.")
                            % {"number": asset.number, "date": asset.capitalised_on}, code="already_capitalised")
    on = on or timezone.localdate()
    asset.fixed_asset_number = (fixed_asset_number or "").strip()[:40] or next_number(FIXED_ASSET_SERIES, year=on.year)
    asset.capitalised_on = on
    asset.save(update_fields=["fixed_asset_number", "capitalised_on", "updated"])
    add_event(asset, verb="capitalised", actor=actor, message=_("Capitalised as fixed asset %(no)s")
              % {"no": asset.fixed_asset_number}, data={"fixed_asset_number": asset.fixed_asset_number})
    return asset


@transaction.atomic
def delete_asset(*, asset: Asset, actor) -> None:
    """Delete a card registered by mistake: only in stock, never held, not from a stock-in."""
    if asset.status != AssetStatus.IN_STOCK or asset.stock_in_line_id or CustodyPeriod.objects.filter(
            asset=asset).exists():
        raise Conflict(_("Only a card registered by mistake (in stock, never issued, not from a stock-in) can be "
                              "deleted; retire a device through disposal (DSP)."), code="not_deletable")
    asset.delete()


# --------------------------------------------------------------------------- catalogue CRUD


def _save(obj, fields: dict, allowed: tuple[str, ...]):
    for name, value in fields.items():
        if name not in allowed:
            raise RuleViolation(_("Unknown field %(name)s.") % {"name": name}, code="invalid")
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    obj.full_clean()
    obj.save()
    return obj


CATEGORY_FIELDS = ("code", "name", "kind", "field_schema", "depreciation_years", "residual_rate", "is_fixed_asset",
                   "is_active")
MODEL_FIELDS = ("category", "manufacturer", "name", "specification", "accessories", "is_active")
SUPPLIER_FIELDS = ("name", "contact", "phone", "address", "notes", "is_active")
LOCATION_FIELDS = ("code", "name", "parent", "unit", "is_public_area", "is_warehouse", "is_active")


@transaction.atomic
def save_category(*, actor, category: AssetCategory | None = None, **fields) -> AssetCategory:
    """Create or edit a category; its card fields are checked (AST-01)."""
    if "field_schema" in fields:
        fields["field_schema"] = validate_schema(fields["field_schema"])
    return _save(category or AssetCategory(), fields, CATEGORY_FIELDS)


@transaction.atomic
def save_model(*, actor, asset_model: AssetModel | None = None, **fields) -> AssetModel:
    if "accessories" in fields:
        fields["accessories"] = [str(a).strip() for a in fields["accessories"] or [] if str(a).strip()]
    return _save(asset_model or AssetModel(), fields, MODEL_FIELDS)


@transaction.atomic
def save_supplier(*, actor, supplier: Supplier | None = None, **fields) -> Supplier:
    return _save(supplier or Supplier(), fields, SUPPLIER_FIELDS)


@transaction.atomic
def save_location(*, actor, location: Location | None = None, **fields) -> Location:
    parent = fields.get("parent")
    if location is not None and location.pk and parent is not None:
        node = parent
        while node is not None:
            if node.pk == location.pk:
                raise ValidationError({"parent": _("A place cannot be part of itself.")})
            node = node.parent
    return _save(location or Location(), fields, LOCATION_FIELDS)


def delete_catalogue_entry(*, obj, actor) -> None:
    """Delete a category / model / supplier / location no record refers to; one still in use
    is a conflict (409): deactivate it instead, so the history keeps its name."""
    from django.db.models import ProtectedError, RestrictedError

    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict(_("%(obj)s is still used by assets or other records: deactivate it instead of deleting it.")
                       % {"obj": obj}, code="in_use") from None


def supplier_named(name: str) -> Supplier | None:
    """The supplier of that name, created when missing (stock-in from procurement)."""
    name = (name or "").strip()[:200]
    if not name:
        return None
    supplier, _created = Supplier.objects.get_or_create(name=name)
    return supplier


# --------------------------------------------------------------------------- stock-in (PRC-17)

#: procurement.LineCategory → the code of the asset category the cards are filed under.
#: Software and consumable lines make no asset card (software: the access app; consumables:
#: the consumables app's own receiver of `stock_in_created`).
LINE_CATEGORY_MAP = {
    "computer": "computer-desktop",
    "network_device": "network-switch",
    "network_core": "network-switch",
    "office_device": "printer",
    "digital_device": "camera",
    "server": "server",
    "storage": "storage",
    "other": "other",
}
NOT_ASSETS = {"software", "consumable"}
LAPTOP_WORDS = ("笔记本", "ThinkPad", "laptop", "Laptop", "MacBook", "X1")


def category_for_line(line) -> AssetCategory:
    """The asset category of a purchase line (a laptop by its name; seeded when missing)."""
    code = LINE_CATEGORY_MAP.get(line.category, "other")
    if code == "computer-desktop" and any(word in line.item for word in LAPTOP_WORDS):
        code = "computer-laptop"
    if line.category == "office_device" and "投影" in line.item:
        code = "projector"
    category = AssetCategory.objects.filter(code=code).first()
    if category is None:
        seed_catalogue()
        category = AssetCategory.objects.filter(code=code).first() or AssetCategory.objects.get(code="other")
    return category


def it_authority_unit():
    """The IT authority unit (org: `is_it_authority`): holds new stock and public equipment (AST-05)."""
    from zhidu.org.selectors import it_authority_units

    return it_authority_units().order_by("pk").first()


def warehouse_for(name: str) -> Location | None:
    """The warehouse location whose name or code is `name` (the stock-in's location text), if any."""
    name = (name or "").strip()
    if not name:
        return None
    return (Location.objects.filter(name=name).first() or Location.objects.filter(code=name).first()
            or Location.objects.filter(is_warehouse=True, is_active=True).order_by("code").first())


def create_assets_from_stock_in(*, stock_in, actor=None) -> list[Asset]:
    """One asset card per unit of each non-consumable, non-software line of the stock-in (PRC-17).

    Runs inside the stock-in transaction (receiver of `procurement.signals.stock_in_created`):
    when a card cannot be made the stock-in is rolled back, so a purchase never ends without
    its cards. Price = the line's unit price; supplier = the order's supplier (created when
    missing); purchase date = the order's signing date; department = the IT authority (org: `is_it_authority`; else the purchasing department), in
    stock; capitalised (转固) on the stock-in date when the category is a fixed asset. The line
    carries no category-field values: required category fields are left for the IT staff to
    fill in (they are validated when the card is edited, not here).
    """
    request = stock_in.request
    order = getattr(request, "order", None) if hasattr(request, "order") else None
    supplier = supplier_named(order.supplier_name) if order is not None else None
    purchase_date = order.signed_on if order is not None else timezone.localdate(stock_in.received_at)
    # In stock with the IT authority (GOV-07); an organisation that has not marked its IT
    # authority unit yet keeps them with the purchasing department.
    department = it_authority_unit() or request.department
    location = warehouse_for(stock_in.location)
    actor = actor or stock_in.recorded_by
    created = []
    lines = stock_in.lines.select_related("line").order_by("line__position", "line_id")
    for stock_line in lines:
        line = stock_line.line
        if line.category in NOT_ASSETS:
            continue
        category = category_for_line(line)
        model = _model_for_line(line, category)
        for _unit in range(stock_line.quantity):
            asset = Asset.objects.create(
                number=allocate_number(year=purchase_date.year), name=line.item[:200], category=category, model=model,
                configuration=line.specification or "", supplier=supplier, purchase_date=purchase_date,
                purchase_price=Decimal(line.unit_price).quantize(CENT), status=AssetStatus.IN_STOCK,
                department=department, location=location, stock_in_line=stock_line,
            )
            add_event(asset, verb="asset_stocked_in", actor=actor, message=_("Taken into stock by %(no)s (%(request)s)")
                      % {"no": stock_in.number, "request": request.number},
                      data={"stock_in": stock_in.pk, "request": request.pk})
            if category.is_fixed_asset:
                asset = capitalise(asset=asset, actor=actor, on=timezone.localdate(stock_in.received_at))
            created.append(asset)
    return created


def _model_for_line(line, category) -> AssetModel | None:
    """The catalogue model whose "manufacturer name" the line's item starts with, if any."""
    for asset_model in AssetModel.objects.filter(category=category, is_active=True):
        if line.item.startswith(f"{asset_model.manufacturer} {asset_model.name}") or asset_model.name in line.item:
            return asset_model
    return None


def on_stock_in_created(sender, stock_in, **kwargs):
    """Receiver of `zhidu.procurement.signals.stock_in_created` (connected in AssetsConfig.ready)."""
    create_assets_from_stock_in(stock_in=stock_in)


__all__ = [
    "BULK_BATCH", "CARD_FIELDS", "CATALOGUE", "LINE_CATEGORY_MAP", "OPENING_STATUSES", "add_event",
    "allocate_number", "capitalise", "category_for_line", "create_asset", "create_assets", "create_assets_from_stock_in", "delete_asset", "delete_catalogue_entry",
    "depreciated_value", "it_authority_unit", "on_stock_in_created", "save_category", "save_location", "save_model",
    "save_supplier", "seed_catalogue", "supplier_named", "update_asset", "validate_attributes", "validate_schema",
]
