"""Services of the hardware ledger (AST-01, AST-02, AST-05, AST-09, PRC-17, VAR-12)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhidu.assets import services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, AssetCategory
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import ChangeLogEntry, TimelineEvent

from .factories import AssetCategoryFactory, AssetFactory, OrgUnitFactory, computer_category

pytestmark = pytest.mark.django_db


def test_seed_catalogue_is_idempotent_and_has_card_fields():
    first = services.seed_catalogue()
    assert first["categories_created"] == len(services.CATALOGUE)
    call_command("seed_asset_catalogue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AssetCategory.objects.count() == len(services.CATALOGUE)
    desktop = AssetCategory.objects.get(code="computer-desktop")
    keys = [f["key"] for f in desktop.field_schema]
    assert {"cpu", "memory_gb", "disk", "os", "mac"} <= set(keys)
    server = AssetCategory.objects.get(code="server")
    assert "rack_position" in [f["key"] for f in server.field_schema]
    printer = AssetCategory.objects.get(code="printer")
    assert {"print_type", "duplex"} <= {f["key"] for f in printer.field_schema}
    assert desktop.residual_rate == Decimal("0.050")


def test_create_asset_numbers_validates_and_capitalises():
    category = computer_category()
    unit = OrgUnitFactory()
    asset = services.create_asset(actor=None, name="ThinkPad T14", category=category, department=unit,
                                  attributes={"cpu": "Ultra 7", "memory_gb": "32", "os": "Windows 11", "junk": 1},
                                  purchase_price="8999", purchase_date=datetime.date(2026, 3, 1))
    assert asset.number.startswith("ZC-") and len(asset.number) == len("ZC-2026-000001")
    assert asset.status == AssetStatus.IN_STOCK and asset.custodian is None
    assert asset.attributes == {"cpu": "Ultra 7", "memory_gb": 32, "os": "Windows 11"}
    assert asset.fixed_asset_number.startswith("GZ-") and asset.capitalised_on == datetime.date(2026, 3, 1)
    verbs = set(TimelineEvent.objects.filter(object_id=str(asset.pk)).values_list("verb", flat=True))
    assert {"asset_registered", "capitalised"} <= verbs
    assert ChangeLogEntry.objects.filter(object_id=str(asset.pk), action="create").exists()
    second = services.create_asset(actor=None, name="T14", category=category, department=unit, number="OLD-0001",
                                   attributes={"cpu": "i5", "memory_gb": 8})
    assert second.number == "OLD-0001"
    with pytest.raises(ValidationError) as exc:
        services.create_asset(actor=None, name="T14", category=category, department=unit, number="OLD-0001",
                              attributes={"cpu": "i5", "memory_gb": 8})
    assert "number" in exc.value.message_dict


def test_create_assets_registers_a_batch_like_one_by_one():
    """The bulk form used by imports (issue #3): numbers in one block, fixed-asset numbers per
    purchase year, opening custody for cards in use (AST-08), events and change log per card."""
    from zhidu.assets.models import CustodyPeriod
    from zhidu.core import changelog

    from .factories import PersonFactory

    category = computer_category()
    unit = OrgUnitFactory()
    person = PersonFactory(department=unit)
    attrs = {"cpu": "i5", "memory_gb": 8}
    assets = services.create_assets(actor=None, cards=[
        {"name": "A", "category": category, "department": unit, "attributes": attrs,
         "purchase_date": datetime.date(2024, 5, 1)},
        {"name": "B", "category": category, "department": unit, "attributes": attrs, "number": "OLD-9",
         "purchase_date": datetime.date(2025, 5, 1), "status": AssetStatus.IN_USE, "custodian": person},
        {"name": "C", "category": category, "department": unit, "attributes": attrs, "is_public": True,
         "status": AssetStatus.IN_USE, "purchase_date": datetime.date(2024, 6, 1), "capitalise_now": False},
    ])
    numbers = [a.number for a in assets]
    year = datetime.date.today().year
    assert numbers == [f"ZC-{year}-000001", "OLD-9", f"ZC-{year}-000002"]
    assert [a.fixed_asset_number for a in assets] == ["GZ-2024-000001", "GZ-2025-000001", ""]
    stored = {a.number: a for a in Asset.objects.all()}
    assert stored["OLD-9"].status == AssetStatus.IN_USE and stored["OLD-9"].custodian == person
    periods = {p.asset.number: p for p in CustodyPeriod.objects.select_related("asset")}
    assert set(periods) == {"OLD-9", numbers[2]}  # in use: the custodian's, and the public device's
    assert periods["OLD-9"].custodian == person and periods["OLD-9"].ended is None
    for asset in assets:
        entry = ChangeLogEntry.objects.get(object_id=str(asset.pk), content_type__model="asset", action="create")
        assert entry.after["number"] == asset.number and entry.after["status"] == asset.status
    verbs = list(TimelineEvent.objects.filter(object_id=str(assets[1].pk)).values_list("verb", flat=True))
    assert sorted(verbs) == ["asset_registered", "capitalised", "imported"]
    assert changelog.verify().ok


def test_create_assets_refuses_the_whole_batch_and_keeps_the_numbers():
    category = computer_category()
    unit = OrgUnitFactory()
    good = {"name": "A", "category": category, "department": unit, "attributes": {"cpu": "i5", "memory_gb": 8}}
    with pytest.raises(ValidationError) as exc:
        services.create_assets(actor=None, cards=[good, {**good, "attributes": {}}])
    assert "2" in exc.value.messages[0] and "CPU" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.create_assets(actor=None, cards=[{**good, "number": "X-1"}, {**good, "number": "X-1"}])
    with pytest.raises(ValidationError):
        services.create_assets(actor=None, cards=[{**good, "status": AssetStatus.DISPOSED}])
    assert not Asset.objects.exists()
    first = services.create_asset(actor=None, **good)
    assert first.number.endswith("-000001")  # the refused batches took no number


def test_attributes_errors_are_per_field():
    category = computer_category()
    with pytest.raises(ValidationError) as exc:
        services.create_asset(actor=None, name="x", category=category, department=OrgUnitFactory(),
                              attributes={"memory_gb": "lots", "os": "DOS"})
    errors = exc.value.message_dict
    assert set(errors) == {"attr_cpu", "attr_memory_gb", "attr_os"}
    assert "CPU" in errors["attr_cpu"][0]
    assert Asset.objects.count() == 0


def test_update_refuses_status_and_custodian():
    asset = AssetFactory()
    with pytest.raises(RuleViolation) as exc:
        services.update_asset(asset=asset, actor=None, status=AssetStatus.IN_USE)
    assert "AST-09" in exc.value.message
    with pytest.raises(RuleViolation):
        services.update_asset(asset=asset, actor=None, custodian=None)
    updated = services.update_asset(asset=asset, actor=None, name="新名称", is_classified=True)
    assert updated.name == "新名称" and updated.is_classified


def test_update_rejects_model_of_another_category_and_warranty_before_purchase():
    asset = AssetFactory()
    other = AssetCategoryFactory()
    from .factories import AssetModelFactory

    model = AssetModelFactory(category=other)
    with pytest.raises(ValidationError) as exc:
        services.update_asset(asset=asset, actor=None, model=model,
                              warranty_end=datetime.date(2024, 1, 1))
    assert {"model", "warranty_end"} <= set(exc.value.message_dict)


def test_capitalise_twice_is_a_conflict():
    asset = AssetFactory(category=AssetCategoryFactory(is_fixed_asset=False))
    services.capitalise(asset=asset, actor=None, on=datetime.date(2026, 1, 5))
    with pytest.raises(Conflict):
        services.capitalise(asset=asset, actor=None)


@pytest.mark.parametrize(("on", "expected"), [
    (datetime.date(2025, 1, 31), "6000.00"),   # the month of capitalisation: no depreciation yet
    (datetime.date(2025, 2, 1), "5905.00"),    # one month: (6000 - 300) / 60 = 95
    (datetime.date(2027, 1, 15), "3720.00"),   # 24 months
    (datetime.date(2030, 1, 1), "300.00"),     # 60 months: the residual value (5%)
    (datetime.date(2040, 1, 1), "300.00"),     # never below the residual value
])
def test_depreciated_value_straight_line_monthly(on, expected):
    """VAR-12 compensation is computed from this value."""
    asset = AssetFactory(purchase_price=Decimal("6000.00"), capitalised_on=datetime.date(2025, 1, 10),
                         category=AssetCategoryFactory(depreciation_years=5, residual_rate=Decimal("0.05")))
    assert services.depreciated_value(asset, on=on) == Decimal(expected)


def test_depreciated_value_without_price_or_not_fixed():
    assert services.depreciated_value(AssetFactory(purchase_price=None)) is None
    asset = AssetFactory(purchase_price=Decimal("100"), category=AssetCategoryFactory(is_fixed_asset=False))
    assert services.depreciated_value(asset, on=datetime.date(2040, 1, 1)) == Decimal("100.00")


def test_delete_only_a_mistaken_card():
    asset = AssetFactory()
    services.delete_asset(asset=asset, actor=None)
    held = AssetFactory(status=AssetStatus.TO_DISPOSE)
    with pytest.raises(Conflict):
        services.delete_asset(asset=held, actor=None)


def test_category_schema_is_validated():
    with pytest.raises(ValidationError):
        services.save_category(actor=None, code="x", name="X", field_schema=[{"key": "a b"}])
    with pytest.raises(ValidationError):
        services.save_category(actor=None, code="x", name="X", field_schema=[{"key": "a", "type": "choice"}])
    category = services.save_category(actor=None, code="x", name="X", kind="other",
                                      field_schema=[{"key": "ports", "type": "number", "required": "yes"}])
    assert category.field_schema == [{"key": "ports", "label": "ports", "type": "number", "required": True}]


def test_location_cannot_be_part_of_itself():
    building = services.save_location(actor=None, code="B1", name="一号楼")
    floor = services.save_location(actor=None, code="B1-3", name="三楼", parent=building)
    with pytest.raises(ValidationError):
        services.save_location(actor=None, location=building, parent=floor)
