"""Shared data for the custody tests (AST-03 … AST-19). Objects are created directly (the ledger
factories may replace these helpers later)."""

from __future__ import annotations

import base64
import struct
import zlib
from decimal import Decimal

import pytest

from zhidu.assets.models import Asset, AssetCategory, AssetModel
from zhidu.core.testing import make_unit, make_user

ACCESSORIES = ["电源适配器", "鼠标"]


def png_bytes(width: int = 40, height: int = 20) -> bytes:
    """A real, minimal PNG (greyscale) of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_data_url(width: int = 40, height: int = 20) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(width, height)).decode()


class World:
    """An IT unit with IT staff, a department with a head and two employees, and in-stock devices."""

    def __init__(self):
        self.it_unit = make_unit("信息中心")
        self.dept = make_unit("财务部")
        self.other_dept = make_unit("销售部")
        self.it = make_user(name="王工", department=self.it_unit, roles=["it_staff"],
                            perms=[f"assets.{a}_{m}" for m in (
                                "asset", "assetissue", "assetreturn", "custodianchange", "assetloan",
                                "reallocation", "preparationtask", "clearance", "damageincident",
                                "lettertemplate", "responsibilityletter") for a in ("view", "add", "change")]
                            + ["org.view_person", "org.view_orgunit"])
        self.head = make_user(name="赵主任", department=self.dept, roles=[("dept_head", self.dept)])
        self.alice = make_user(name="李丽", department=self.dept)
        self.bob = make_user(name="张伟", department=self.dept)
        self.outsider = make_user(name="陈晨", department=self.other_dept)
        self.category = AssetCategory.objects.create(code="laptop", name="笔记本电脑", depreciation_years=5,
                                                     residual_rate=Decimal("0.050"))
        self.model = AssetModel.objects.create(category=self.category, manufacturer="联想", name="ThinkPad T14",
                                               accessories=ACCESSORIES)
        self.counter = 0

    def asset(self, **fields) -> Asset:
        self.counter += 1
        values = {"number": f"ZC-T-{self.counter:04d}", "name": "笔记本电脑", "category": self.category,
                  "model": self.model, "department": self.it_unit, "purchase_price": Decimal("6000.00"),
                  "serial_number": f"SN{self.counter:05d}"}
        values.update(fields)
        return Asset.objects.create(**values)


@pytest.fixture
def world(db):
    return World()
