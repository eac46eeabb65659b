"""Factories for disposal tests (factory-boy). Minimal org and ledger objects, no demo data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.assets.models import Asset, AssetCategory
from zhidu.disposal import services
from zhidu.disposal.choices import LineKind
from zhidu.org.models import OrgUnit


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"报废测试部门{n}")
    code = factory.Sequence(lambda n: f"DSPU{n:04d}")
    parent = None


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetCategory
        django_get_or_create = ("code",)

    code = factory.LazyAttribute(lambda o: f"dsp-{o.kind}")
    name = factory.LazyAttribute(lambda o: f"报废测试-{o.kind}")
    kind = CategoryKind.COMPUTER


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    number = factory.Sequence(lambda n: f"DSP-{n:05d}")
    name = "联想 ThinkCentre M720 台式机"
    category = factory.SubFactory(CategoryFactory)
    department = factory.SubFactory(OrgUnitFactory)
    status = AssetStatus.IN_STOCK
    purchase_date = datetime.date(2019, 5, 1)
    purchase_price = Decimal("4800.00")


def hardware(asset, reason="主板损坏，无法开机") -> services.LineInput:
    return services.LineInput(kind=LineKind.HARDWARE, asset=asset, reason=reason)


def software(name="Windows 7 专业版", quantity=5, reason="系统已停止支持") -> services.LineInput:
    return services.LineInput(kind=LineKind.SOFTWARE, software_name=name, licence_key="XXXXX-XXXXX",
                              quantity=quantity, reason=reason)


def make_request(requester, lines, *, actor=None, title="电脑报废申请", **kwargs):
    return services.create_request(requester=requester, actor=actor, title=title, lines=lines, **kwargs)
