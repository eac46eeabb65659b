"""Demo ledger (issue #3 §9): ~300 devices of the demo company across its departments and
places — a headquarters building with floors and rooms, a server room, the IT warehouse,
meeting rooms with public equipment (AST-05), the Beijing branch — with realistic models
(联想 ThinkPad / 扬天 / ThinkCentre, 戴尔, 华为 switches and servers, HP / Canon printers,
projectors …), custodians and their custody periods (AST-08/09), devices in stock, and
warranties ending soon. Deterministic (seeded random, dates anchored on the load date) and
fast: cards are written with the ORM (one change-log entry each, through the BaseModel
signals), numbers come from the ZC / GZ series so later cards continue them.

Called by the demo loader as `load(org)` (see zhidu.core.demo_data); idempotent: nothing
happens once the demo building exists.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zhidu.core.numbering import next_number

from .choices import AssetStatus
from .models import Asset, AssetCategory, AssetModel, CustodyPeriod, Location, Supplier
from .services.ledger import FIXED_ASSET_SERIES, NUMBER_SERIES, seed_catalogue

MARKER = "HQ"  # the demo headquarters building: present = the demo ledger was loaded

# code, name, parent code, public area / meeting room, warehouse, owning unit code
LOCATIONS = [
    ("HQ", "总部大楼", None, False, False, None),
    ("HQ-B1", "地下一层", "HQ", False, False, None),
    ("HQ-B1-DC", "中心机房", "HQ-B1", False, False, "XXZX"),
    ("HQ-B1-WH", "信息中心库房", "HQ-B1", False, True, "XXZX"),
    ("HQ-1F", "一层", "HQ", False, False, None),
    ("HQ-1F-LOBBY", "一层大厅", "HQ-1F", True, False, None),
    ("HQ-1F-M101", "第一会议室", "HQ-1F", True, False, None),
    ("HQ-1F-TR", "培训教室", "HQ-1F", True, False, None),
    ("HQ-2F", "二层", "HQ", False, False, None),
    ("HQ-2F-201", "201 综合管理部", "HQ-2F", False, False, "ZHGLB"),
    ("HQ-2F-202", "202 信息中心", "HQ-2F", False, False, "XXZX"),
    ("HQ-2F-203", "203 财务部", "HQ-2F", False, False, "CWB"),
    ("HQ-2F-M201", "第二会议室", "HQ-2F", True, False, None),
    ("HQ-3F", "三层", "HQ", False, False, None),
    ("HQ-3F-301", "301 销售部", "HQ-3F", False, False, "XSB"),
    ("HQ-3F-302", "302 市场部", "HQ-3F", False, False, "SCB"),
    ("HQ-3F-303", "303 人事部", "HQ-3F", False, False, "RSB"),
    ("HQ-3F-M301", "第三会议室", "HQ-3F", True, False, None),
    ("HQ-4F", "四层", "HQ", False, False, None),
    ("HQ-4F-401", "401 研发中心开放办公区", "HQ-4F", False, False, "YFZX"),
    ("HQ-4F-402", "402 测试实验室", "HQ-4F", False, False, "RJ2"),
    ("HQ-5F", "五层", "HQ", False, False, None),
    ("HQ-5F-501", "501 公司领导", "HQ-5F", False, False, "LD"),
    ("HQ-5F-502", "502 采购部", "HQ-5F", False, False, "CGB"),
    ("HQ-5F-503", "503 行政部", "HQ-5F", False, False, "XZB"),
    ("HQ-5F-M501", "多功能报告厅", "HQ-5F", True, False, None),
    ("PLANT", "生产厂区", None, False, False, "SCZ"),
    ("PLANT-OFFICE", "车间办公室", "PLANT", False, False, "SCZ"),
    ("BJ", "北京分公司办公室", None, False, False, "BJ"),
    ("BJ-M1", "北京分公司会议室", "BJ", True, False, "BJ"),
]

SUPPLIERS = [
    ("联想（北京）有限公司", "王经理", "010-58868888"),
    ("戴尔（中国）有限公司", "李经理", "400-886-8610"),
    ("华为技术有限公司", "陈工", "400-822-9999"),
    ("惠普贸易（上海）有限公司", "周经理", "400-820-3666"),
    ("佳能（中国）有限公司", "赵经理", "400-622-2666"),
    ("爱普生（中国）有限公司", "孙经理", "400-810-9977"),
    ("京东企业购", "客服", "400-606-5500"),
    ("神州数码集团股份有限公司", "刘经理", "010-82705555"),
]

# key, category code, manufacturer, model, specification, accessories, price, attributes, warranty years, supplier
MODELS = {
    "t14": ("computer-laptop", "联想", "ThinkPad T14 Gen 5", "Ultra 7 155U / 32G / 1T SSD / 14\"", ["电源适配器", "电脑包"],
            "8999.00", {"cpu": "Intel Core Ultra 7 155U", "memory_gb": 32, "disk": "1TB SSD", "os": "Windows 11",
                        "screen_inch": 14}, 3, 0),
    "e14": ("computer-laptop", "联想", "ThinkPad E14", "i5-1335U / 16G / 512G SSD", ["电源适配器"], "5299.00",
            {"cpu": "Intel Core i5-1335U", "memory_gb": 16, "disk": "512GB SSD", "os": "Windows 11", "screen_inch": 14},
            3, 0),
    "x1": ("computer-laptop", "联想", "ThinkPad X1 Carbon Gen 12", "Ultra 7 165U / 32G / 1T SSD", ["电源适配器", "扩展坞"],
           "13999.00", {"cpu": "Intel Core Ultra 7 165U", "memory_gb": 32, "disk": "1TB SSD", "os": "Windows 11",
                        "screen_inch": 14}, 3, 0),
    "latitude": ("computer-laptop", "戴尔", "Latitude 5440", "i7-1355U / 16G / 512G SSD", ["电源适配器"], "7399.00",
                 {"cpu": "Intel Core i7-1355U", "memory_gb": 16, "disk": "512GB SSD", "os": "Windows 11",
                  "screen_inch": 14}, 3, 1),
    "m4000q": ("computer-desktop", "联想", "扬天 M4000q", "i5-13400 / 16G / 512G SSD", ["键盘", "鼠标", "电源线"],
               "4299.00", {"cpu": "Intel Core i5-13400", "memory_gb": 16, "disk": "512GB SSD", "os": "Windows 11"}, 3, 0),
    "m70t": ("computer-desktop", "联想", "ThinkCentre M70t", "i7-13700 / 32G / 1T SSD", ["键盘", "鼠标", "电源线"],
             "6199.00", {"cpu": "Intel Core i7-13700", "memory_gb": 32, "disk": "1TB SSD", "os": "Windows 11"}, 3, 0),
    "optiplex": ("computer-desktop", "戴尔", "OptiPlex 7010", "i5-13500 / 16G / 512G SSD", ["键盘", "鼠标", "电源线"],
                 "4899.00", {"cpu": "Intel Core i5-13500", "memory_gb": 16, "disk": "512GB SSD", "os": "统信 UOS"}, 3, 1),
    "p2723d": ("monitor", "戴尔", "P2723D", "27\" 2560×1440 IPS", ["电源线", "DP 线"], "1899.00",
               {"screen_inch": 27, "resolution": "2560×1440"}, 3, 1),
    "t24": ("monitor", "联想", "ThinkVision T24i", "23.8\" 1920×1080 IPS", ["电源线", "HDMI 线"], "999.00",
            {"screen_inch": 23.8, "resolution": "1920×1080"}, 3, 0),
    "2288h": ("server", "华为", "FusionServer 2288H V7", "2×Xeon Silver 4410Y / 256G / 6×1.92T SSD", ["导轨", "电源线×2"],
              "68500.00", {"cpu": "2×Xeon Silver 4410Y", "memory_gb": 256, "disk": "6×1.92TB SSD RAID5",
                           "os": "openEuler 22.03", "rack_position": "A01-U20", "power_supplies": 2}, 5, 2),
    "r750": ("server", "戴尔", "PowerEdge R750", "2×Xeon Gold 5318Y / 128G / 4×2.4T SAS", ["导轨", "电源线×2"],
             "52000.00", {"cpu": "2×Xeon Gold 5318Y", "memory_gb": 128, "disk": "4×2.4TB SAS RAID10",
                          "os": "VMware ESXi 8", "rack_position": "A02-U10", "power_supplies": 2}, 5, 1),
    "oceanstor": ("storage", "华为", "OceanStor 5310", "双控 / 24×3.84T SSD", ["导轨"], "186000.00",
                  {"capacity_tb": 92, "raid": "RAID-TP", "rack_position": "A03-U30"}, 5, 2),
    "ce6730": ("network-switch", "华为", "CloudEngine S6730", "24 万兆 + 6×40G", ["电源线×2"], "36800.00",
               {"ports": 30, "layer": "核心", "rack_position": "A04-U40", "poe": False}, 5, 2),
    "s5735": ("network-switch", "华为", "S5735-L24T4X", "24 千兆电口 + 4 万兆光口", ["电源线"], "3680.00",
              {"ports": 28, "layer": "接入", "poe": False}, 3, 2),
    "s5735p": ("network-switch", "华为", "S5735-L24P4X", "24 口 PoE+ 接入", ["电源线"], "5200.00",
               {"ports": 28, "layer": "接入", "poe": True}, 3, 2),
    "usg6510": ("network-router", "华为", "USG6510E 防火墙", "8 千兆 / 1.5Gbps", ["电源线"], "9800.00",
                {"ports": 8}, 3, 2),
    "ap5761": ("network-ap", "华为", "AirEngine 5761-11", "Wi-Fi 6 / 吸顶", ["安装支架"], "1450.00",
               {"wifi_standard": "Wi-Fi 6"}, 3, 2),
    "m404": ("printer", "惠普", "LaserJet Pro M404dn", "A4 黑白 / 双面 / 网络", ["电源线", "USB 线"], "2299.00",
             {"print_type": "激光", "color": False, "duplex": True, "paper_size": "A4"}, 1, 3),
    "mfp437": ("mfp", "惠普", "LaserJet MFP M437nda", "A3 黑白 / 复印扫描", ["电源线"], "6890.00",
               {"print_type": "激光", "color": False, "duplex": True, "paper_size": "A3"}, 1, 3),
    "c3226": ("mfp", "佳能", "imageRUNNER ADVANCE DX C3226", "A3 彩色 / 复印扫描 / 双面", ["电源线"], "26800.00",
              {"print_type": "激光", "color": True, "duplex": True, "paper_size": "A3"}, 1, 4),
    "lbp6030": ("printer", "佳能", "LBP6030", "A4 黑白 / 桌面", ["电源线", "USB 线"], "899.00",
                {"print_type": "激光", "color": False, "duplex": False, "paper_size": "A4"}, 1, 4),
    "cbx50": ("projector", "爱普生", "CB-X50", "3600 流明 / XGA", ["遥控器", "HDMI 线"], "3999.00",
              {"lumens": 3600, "resolution": "1024×768"}, 2, 5),
    "maxhub": ("public-display", "MAXHUB", "V6 经典版 75 英寸会议平板", "75\" 4K 触控 / 无线投屏", ["传屏器", "触控笔"],
               "19800.00", {"screen_inch": 75}, 3, 6),
    "eosr6": ("camera", "佳能", "EOS R6 Mark II", "24-105mm 套机", ["电池", "充电器", "背带"], "17999.00",
              {"sensor": "全画幅 2420 万像素", "lens": "RF 24-105mm F4"}, 1, 4),
    "ups3k": ("ups", "山特", "C3KS", "3kVA 在线式 / 2 小时", ["电池包"], "7800.00", {"capacity_kva": 3}, 2, 7),
}

# Who holds what: (unit code, laptop share) — others get a desktop; leaders get an X1.
LEADERS = {"chenjianhua", "liuzhiqiang", "zhaolihua"}
DEVELOPERS = {"RJ1", "RJ2", "YFZX"}
ROOM_OF_UNIT = {"ZHGLB": "HQ-2F-201", "XXZX": "HQ-2F-202", "CWB": "HQ-2F-203", "XSB": "HQ-3F-301",
                "XSB-HD": "HQ-3F-301", "XSB-HB": "HQ-3F-301", "SCB": "HQ-3F-302", "RSB": "HQ-3F-303",
                "YFZX": "HQ-4F-401", "RJ1": "HQ-4F-401", "RJ2": "HQ-4F-401", "LD": "HQ-5F-501", "CGB": "HQ-5F-502",
                "XZB": "HQ-5F-503", "SCZ": "PLANT-OFFICE", "BJ": "BJ"}


def load(org=None) -> dict:
    """Create the demo ledger (idempotent)."""
    from . import demo_custody, demo_stocktake

    seed_catalogue()
    if org is None or not getattr(org, "units", None):
        return {"assets": 0}
    count = 0
    if not Location.objects.filter(code=MARKER).exists():
        builder = _Builder(org)
        builder.run()
        count = builder.count
    # Workflows on top of the ledger: letters, returns, loans, incidents; stock-takes, inspections.
    # Each is idempotent on its own.
    demo_custody.load(org)
    demo_stocktake.load(org)
    from . import demo_subledger  # sub-ledgers (分帐), SCH-08

    demo_subledger.load(org)
    return {"assets": count}


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Builder:
    def __init__(self, org):
        self.org = org
        self.rng = random.Random(20260301)  # noqa: S311 - demo data, not security
        self.today = timezone.localdate()
        self.count = 0
        self.it_unit = getattr(org, "it_authority", None) or org.units.get("ZHGLB")
        self.categories = {c.code: c for c in AssetCategory.objects.all()}

    # -- catalogue -------------------------------------------------------------------------
    def run(self):
        self.locations = {}
        for code, name, parent, public, warehouse, unit in LOCATIONS:
            self.locations[code] = Location.objects.create(
                code=code, name=name, parent=self.locations.get(parent) if parent else None,
                unit=self.org.units.get(unit) if unit else None, is_public_area=public, is_warehouse=warehouse)
        self.suppliers = []
        for name, contact, phone in SUPPLIERS:
            supplier, _created = Supplier.objects.get_or_create(name=name, defaults={"contact": contact,
                                                                                     "phone": phone})
            self.suppliers.append(supplier)
        self.models = {}
        for key, (category, manufacturer, name, spec, accessories, *_rest) in MODELS.items():
            self.models[key], _created = AssetModel.objects.get_or_create(
                manufacturer=manufacturer, name=name,
                defaults={"category": self.categories[category], "specification": spec, "accessories": accessories})
        self.people()
        self.infrastructure()
        self.public_equipment()
        self.shared_devices()
        self.stock()

    # -- one card --------------------------------------------------------------------------
    def asset(self, key, *, department, location, custodian=None, status=AssetStatus.IN_STOCK, is_public=False,
              bought: datetime.date | None = None, serial_prefix="", extra: dict | None = None,
              warranty_end: datetime.date | None = None, is_classified=False, since=None):
        category_code, manufacturer, name, spec, _acc, price, attributes, warranty_years, supplier_index = MODELS[key]
        category = self.categories[category_code]
        bought = bought or self.today - datetime.timedelta(days=self.rng.randint(60, 5 * 365))
        attributes = dict(attributes)
        if "mac" in {f["key"] for f in category.field_schema}:
            attributes["mac"] = ":".join(f"{self.rng.randint(0, 255):02X}" for _ in range(6))
        if extra:
            attributes.update(extra)
        self.count += 1
        asset = Asset.objects.create(
            number=next_number(NUMBER_SERIES, year=bought.year),
            name=f"{manufacturer} {name}", category=category, model=self.models[key],
            serial_number=f"{serial_prefix or manufacturer[:1].upper()}{self.rng.randint(10**8, 10**9 - 1)}",
            configuration=spec, attributes=attributes, supplier=self.suppliers[supplier_index], purchase_date=bought,
            purchase_price=Decimal(price),
            warranty_end=warranty_end or _years_later(bought, warranty_years),
            status=status, department=department, custodian=custodian, location=location, is_public=is_public,
            is_classified=is_classified,
            fixed_asset_number=next_number(FIXED_ASSET_SERIES, year=bought.year) if category.is_fixed_asset else "",
            capitalised_on=bought if category.is_fixed_asset else None,
        )
        if status in (AssetStatus.IN_USE, AssetStatus.ON_LOAN):
            start = since or bought + datetime.timedelta(days=self.rng.randint(3, 20))
            CustodyPeriod.objects.create(
                asset=asset, custodian=custodian, department=department,
                started=timezone.make_aware(datetime.datetime.combine(start, datetime.time(9, 30))),
                reason="issue")
        return asset

    # -- employees -------------------------------------------------------------------------
    def people(self):
        units = self.org.units
        for username, person in sorted(self.org.people.items(), key=lambda item: item[1].employee_no):
            if person.status not in ("active", "leaving") or person.department_id is None:
                continue
            unit_code = next((code for code, unit in units.items() if unit.pk == person.department_id), None)
            if unit_code is None or unit_code == "HXJT":
                continue
            room = self.locations.get(ROOM_OF_UNIT.get(unit_code, "HQ-2F-201"))
            department = person.department
            hired = getattr(person, "hire_date", None) or datetime.date(2020, 1, 1)
            if username in LEADERS:
                key = "x1"
            elif unit_code in DEVELOPERS:
                key = self.rng.choice(["t14", "m70t", "latitude"])
            elif unit_code in ("XSB", "XSB-HD", "XSB-HB", "SCB", "BJ"):
                key = self.rng.choice(["e14", "t14", "latitude"])
            else:
                key = self.rng.choice(["m4000q", "optiplex", "m4000q"])
            since = max(hired, self.today - datetime.timedelta(days=self.rng.randint(90, 1400)))
            bought = since - datetime.timedelta(days=self.rng.randint(5, 30))
            classified = unit_code in ("CWB", "LD") and key in ("m4000q", "optiplex", "x1")
            self.asset(key, department=department, location=room, custodian=person, status=AssetStatus.IN_USE,
                       bought=bought, since=since, is_classified=classified)
            if key in ("m4000q", "optiplex", "m70t") or unit_code in DEVELOPERS:
                self.asset(self.rng.choice(["p2723d", "t24"]), department=department, location=room,
                           custodian=person, status=AssetStatus.IN_USE, bought=bought, since=since)
            if unit_code in DEVELOPERS and self.rng.random() < 0.5:
                self.asset("t24", department=department, location=room, custodian=person, status=AssetStatus.IN_USE,
                           bought=bought, since=since)

    # -- server room and network -------------------------------------------------------------
    def infrastructure(self):
        dc = self.locations["HQ-B1-DC"]
        keeper = self.org.people.get("liqiang")
        net = self.org.people.get("zhangwei") or keeper
        it = self.it_unit
        for i, key in enumerate(["2288h", "2288h", "2288h", "r750", "r750", "oceanstor"]):
            self.asset(key, department=it, location=dc, custodian=keeper, status=AssetStatus.IN_USE,
                       bought=datetime.date(2023 + i % 3, 3 + i, 10),
                       extra={"rack_position": f"A0{1 + i // 2}-U{10 + 10 * (i % 2)}",
                              "management_ip": f"10.10.0.{11 + i}"} if key != "oceanstor" else
                       {"management_ip": "10.10.0.30"})
        for i in range(2):
            self.asset("ce6730", department=it, location=dc, custodian=net, status=AssetStatus.IN_USE,
                       bought=datetime.date(2023, 6, 1), extra={"management_ip": f"10.10.1.{1 + i}",
                                                                "rack_position": f"A04-U{40 - i * 2}"})
        self.asset("usg6510", department=it, location=dc, custodian=net, status=AssetStatus.IN_USE,
                   bought=datetime.date(2024, 2, 20), extra={"management_ip": "10.10.1.254", "rack_position": "A04-U44"})
        for _i in range(4):
            self.asset("ups3k", department=it, location=dc, custodian=keeper, status=AssetStatus.IN_USE,
                       bought=datetime.date(2022, 9, 1), extra={"battery_date": "2025-09-01"})
        floors = ["HQ-B1", "HQ-1F", "HQ-2F", "HQ-3F", "HQ-4F", "HQ-5F"]
        for i, floor in enumerate(floors):
            for j in range(2):
                key = "s5735p" if j else "s5735"
                self.asset(key, department=it, location=self.locations[floor], custodian=net,
                           status=AssetStatus.IN_USE, bought=datetime.date(2023, 6, 1),
                           extra={"management_ip": f"10.10.2.{10 * i + j + 1}"})
            for j in range(4):
                self.asset("ap5761", department=it, location=self.locations[floor], custodian=net,
                           status=AssetStatus.IN_USE, bought=datetime.date(2024, 4, 15),
                           extra={"management_ip": f"10.10.3.{10 * i + j + 1}"})
        branch_net = self.org.people.get("yuyang") or net
        branch = self.org.units.get("BJ") or it
        self.asset("s5735p", department=branch, location=self.locations["BJ"], custodian=branch_net,
                   status=AssetStatus.IN_USE, bought=datetime.date(2024, 5, 10))
        for _ in range(3):
            self.asset("ap5761", department=branch, location=self.locations["BJ"], custodian=branch_net,
                       status=AssetStatus.IN_USE, bought=datetime.date(2024, 5, 10))

    # -- meeting rooms and public areas (AST-05: the IT authority as pseudo-custodian) -------
    def public_equipment(self):
        for code in ("HQ-1F-M101", "HQ-2F-M201", "HQ-3F-M301", "HQ-5F-M501", "BJ-M1"):
            room = self.locations[code]
            department = self.org.units.get("BJ") if code == "BJ-M1" else self.it_unit
            self.asset("maxhub" if code != "HQ-1F-M101" else "cbx50", department=department, location=room,
                       status=AssetStatus.IN_USE, is_public=True)
            self.asset("cbx50", department=department, location=room, status=AssetStatus.IN_USE, is_public=True)
            self.asset("m4000q", department=department, location=room, status=AssetStatus.IN_USE, is_public=True)
        self.asset("mfp437", department=self.it_unit, location=self.locations["HQ-1F-LOBBY"],
                   status=AssetStatus.IN_USE, is_public=True)
        training = self.locations["HQ-1F-TR"]
        for i in range(20):  # the training room's student PCs
            self.asset("m4000q", department=self.it_unit, location=training, status=AssetStatus.IN_USE,
                       is_public=True, bought=datetime.date(2022, 8, 15) + datetime.timedelta(days=i % 3))
        self.asset("cbx50", department=self.it_unit, location=training, status=AssetStatus.IN_USE, is_public=True)

    # -- printers, cameras, shared workstations of departments --------------------------------
    def shared_devices(self):
        officers = {}
        for person in self.org.people.values():
            if person.status == "active":
                officers.setdefault(person.department_id, []).append(person)
        for unit_code, room_code in ROOM_OF_UNIT.items():
            unit = self.org.units.get(unit_code)
            if unit is None or unit_code in ("XSB-HD", "XSB-HB", "RJ1", "RJ2"):
                continue
            holders = sorted(officers.get(unit.pk, []), key=lambda p: p.employee_no)
            holder = holders[-1] if holders else None
            status = AssetStatus.IN_USE if holder else AssetStatus.IN_STOCK
            room = self.locations[room_code]
            self.asset(self.rng.choice(["m404", "lbp6030"]), department=unit, location=room, custodian=holder,
                       status=status)
            if unit_code in ("CWB", "XZB", "ZHGLB", "SCZ", "BJ"):
                self.asset(self.rng.choice(["mfp437", "c3226"]), department=unit, location=room, custodian=holder,
                           status=status)
        marketing = self.org.units.get("SCB")
        camera_holder = self.org.people.get("gaomin")
        if marketing is not None:
            self.asset("eosr6", department=marketing, location=self.locations["HQ-3F-302"], custodian=camera_holder,
                       status=AssetStatus.IN_USE if camera_holder else AssetStatus.IN_STOCK)
        plant = self.org.units.get("SCZ")
        worker = self.org.people.get("jialiang")
        if plant is not None:
            for i in range(20):  # workshop terminals held by the workshop head
                self.asset("optiplex", department=plant, location=self.locations["PLANT-OFFICE"], custodian=worker,
                           status=AssetStatus.IN_USE if worker else AssetStatus.IN_STOCK,
                           bought=datetime.date(2021, 4, 1) + datetime.timedelta(days=i))
        lab = self.org.units.get("RJ2")
        tester = self.org.people.get("panting")
        if lab is not None:
            for i in range(24):  # the test lab's compatibility machines
                self.asset(self.rng.choice(["m4000q", "optiplex", "e14", "latitude"]), department=lab,
                           location=self.locations["HQ-4F-402"], custodian=tester,
                           status=AssetStatus.IN_USE if tester else AssetStatus.IN_STOCK,
                           bought=datetime.date(2022, 7, 1) + datetime.timedelta(days=17 * i))

    # -- the IT warehouse: new and returned devices, repairs, some awaiting disposal ---------
    def stock(self):
        warehouse = self.locations["HQ-B1-WH"]
        it = self.it_unit
        for i in range(36):
            key = ["t14", "e14", "m4000q", "m70t", "p2723d", "t24"][i % 6]
            self.asset(key, department=it, location=warehouse, bought=self.today - datetime.timedelta(days=20 + i))
        for i in range(10):  # older returned devices, warranty ending within 90 days
            bought = self.today - datetime.timedelta(days=3 * 365 - 10 - 8 * i)
            self.asset(["e14", "m4000q"][i % 2], department=it, location=warehouse, bought=bought,
                       warranty_end=self.today + datetime.timedelta(days=10 + 8 * i))
        for i in range(4):
            self.asset("m404", department=it, location=warehouse, status=AssetStatus.IN_REPAIR,
                       bought=datetime.date(2020, 5, 1) + datetime.timedelta(days=30 * i))
        for i in range(10):
            self.asset(["optiplex", "lbp6030"][i % 2], department=it, location=warehouse,
                       status=AssetStatus.TO_DISPOSE, bought=datetime.date(2018, 3, 1) + datetime.timedelta(days=40 * i))
