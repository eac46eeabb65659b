"""Factories for consumables tests (factory-boy)."""

from __future__ import annotations

from decimal import Decimal

import factory

from zhidu.assets.models import AssetCategory, AssetModel, Location
from zhidu.consumables.choices import ConsumableCategory
from zhidu.consumables.models import ConsumableItem


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    code = factory.Sequence(lambda n: f"L{n:04d}")
    name = factory.Sequence(lambda n: f"库房{n}")
    is_warehouse = True


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsumableItem

    code = factory.Sequence(lambda n: f"HC{n:04d}")
    name = factory.Sequence(lambda n: f"测试硒鼓 T{n:04d}")
    category = ConsumableCategory.DRUM
    unit = "个"
    reorder_level = 2
    unit_price = Decimal("380.00")


class PrinterCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetCategory
        django_get_or_create = ("code",)

    code = "printer"
    name = "打印机"


class PrinterModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetModel

    category = factory.SubFactory(PrinterCategoryFactory)
    manufacturer = "HP"
    name = factory.Sequence(lambda n: f"LaserJet M40{n}")
