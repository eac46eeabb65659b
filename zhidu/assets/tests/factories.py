"""Factories of the ledger (factory-boy), for every app's tests:

    from zhidu.assets.tests.factories import (
        AssetCategoryFactory, AssetFactory, AssetModelFactory, LocationFactory, SupplierFactory,
        OrgUnitFactory, PersonFactory, computer_category)

`AssetFactory` builds a card in stock in a new department; pass `department=`, `custodian=`,
`status=` (a custodian with status "in_use" is consistent with the DB constraint).
Cards made here bypass the services (no number series, no timeline): use
`zhidu.assets.services.create_asset` when the test is about registration.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from zhidu.assets.choices import AssetStatus, CategoryKind, FieldType
from zhidu.assets.models import Asset, AssetCategory, AssetModel, CustodyPeriod, Location, Supplier
from zhidu.org.models import OrgUnit, Person


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"资产测试部门{n}")
    code = factory.Sequence(lambda n: f"AT{n:05d}")
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_no = factory.Sequence(lambda n: f"AE{n:05d}")
    name = factory.Sequence(lambda n: f"资产员工{n}")
    department = factory.SubFactory(OrgUnitFactory)


COMPUTER_FIELDS = [
    {"key": "cpu", "label": "CPU", "type": FieldType.TEXT, "required": True},
    {"key": "memory_gb", "label": "内存(GB)", "type": FieldType.NUMBER, "required": True},
    {"key": "os", "label": "操作系统", "type": FieldType.CHOICE, "required": False,
     "choices": ["Windows 11", "统信 UOS"]},
    {"key": "mac", "label": "MAC 地址", "type": FieldType.TEXT, "required": False},
]


class AssetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"测试类别{n}")
    kind = CategoryKind.OTHER
    field_schema = factory.LazyFunction(list)
    depreciation_years = 5
    residual_rate = Decimal("0.050")
    is_fixed_asset = True


def computer_category(**kwargs) -> AssetCategory:
    """A computer category with required CPU and memory fields (AST-01)."""
    defaults = {"code": "test-computer", "name": "测试计算机", "kind": CategoryKind.COMPUTER,
                "field_schema": COMPUTER_FIELDS, "depreciation_years": 5}
    defaults.update(kwargs)
    return AssetCategoryFactory(**defaults)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试供应商{n}")


class AssetModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetModel

    category = factory.SubFactory(AssetCategoryFactory)
    manufacturer = "联想"
    name = factory.Sequence(lambda n: f"ThinkPad T{n}")
    accessories = factory.LazyFunction(lambda: ["电源适配器"])


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    code = factory.Sequence(lambda n: f"LOC-{n}")
    name = factory.Sequence(lambda n: f"测试房间{n}")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    number = factory.Sequence(lambda n: f"ZC-T-{n:06d}")
    name = factory.Sequence(lambda n: f"测试设备{n}")
    category = factory.SubFactory(AssetCategoryFactory)
    department = factory.SubFactory(OrgUnitFactory)
    status = AssetStatus.IN_STOCK
    purchase_date = datetime.date(2025, 1, 10)
    purchase_price = Decimal("5000.00")
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")


def hold(asset: Asset, person: Person, *, started=None) -> Asset:
    """Put `asset` in use by `person` with an open custody period (bypassing the custody services:
    for tests of other features that need a held device)."""
    from django.utils import timezone

    Asset.objects.filter(pk=asset.pk).update(custodian=person, department=person.department,
                                              status=AssetStatus.IN_USE)
    CustodyPeriod.objects.create(asset=asset, custodian=person, department=person.department,
                                 started=started or timezone.now(), reason="issue")
    asset.refresh_from_db()
    return asset
