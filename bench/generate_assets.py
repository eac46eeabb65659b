#!/usr/bin/env python
"""Deterministic benchmark data for the equipment ledger: N assets and their history.

    uv run python bench/generate_assets.py --assets 100000 --db sqlite:///var/bench-assets.sqlite3 --reset
    uv run python bench/generate_assets.py --assets 100000 \
        --db postgresql://postgres@127.0.0.1:5432/zhidu_bench_assets --reset

The same --seed and --assets give the same data on every machine and database. Created:

* the organisation of `bench/generate.py` (12 departments with sections, max(200, N/40)
  people with logins, roles seeded, the bench accounts of `bench/common.py`);
* a catalogue: the AST-01 categories (`assets.services.seed_catalogue`), 60 models, 20
  suppliers, 48 locations (4 buildings × 12 rooms, one warehouse);
* N assets (numbers ZC-YYYY-NNNNNN, purchased 2018 … 2026 in id order) in the mix of a live
  ledger: ~70 % in use by a person of their department, ~18 % in stock, the rest in repair,
  lost, awaiting disposal or disposed;
* their custody history: 1–8 custody periods per held asset (avg ≈ 4.5; the last one open for
  an asset in use), closed ones ending where the next begins;
* the change log: one hash-chained "create" entry per asset and per custody period, exactly
  as the post_save handler writes it (source "bench"), so that `zhidu check-audit` verifies.

At 100,000 assets that is ≈ 100k assets + ≈ 400k custody periods + ≈ 500k change-log entries
≥ 1,000,000 ledger/change-log rows.

Speed: everything but the org and catalogue is written with `bulk_create` in batches (no
signals: the change-log rows are built here, not by the signal handlers; no timeline events).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import generate  # noqa: E402  — reuses its org builder and database helpers

BATCH = 2000
START = datetime.datetime(2018, 1, 1, 1, 0, tzinfo=datetime.UTC)
END = datetime.datetime(2026, 10, 31, 9, 0, tzinfo=datetime.UTC)
BRANDS = ["联想", "华为", "戴尔", "惠普", "华硕", "海康威视", "锐捷", "新华三", "佳能", "爱普生"]
SERIES = ["A", "B", "C", "E", "M", "P"]
STATUS_MIX = [("in_use", 70), ("in_stock", 18), ("in_repair", 4), ("lost", 1), ("to_dispose", 4), ("disposed", 3)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000, help="number of assets (default 100000)")
    parser.add_argument("--people", type=int, default=None, help="number of people (default max(200, N/40))")
    parser.add_argument("--db", required=True, help="DATABASE_URL (SQLite file or PostgreSQL database)")
    parser.add_argument("--seed", type=int, default=20261127, help="random seed (default 20261127)")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    parser.add_argument("--schema", choices=("syncdb", "migrate"), default="syncdb")
    parser.add_argument("--no-changelog", action="store_true", help="skip the change-log entries")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


def build_catalogue(rng: random.Random, org):
    from zhidu.assets.models import AssetCategory, AssetModel, Location, Supplier
    from zhidu.assets.services import seed_catalogue

    seed_catalogue()
    categories = list(AssetCategory.objects.all().order_by("pk"))
    models = []
    for i in range(60):
        category = categories[i % len(categories)]
        models.append(AssetModel.objects.create(category=category, manufacturer=BRANDS[i % len(BRANDS)],
                                                name=f"{rng.choice(SERIES)}{100 + i}-{category.code[:6]}"))
    suppliers = [Supplier.objects.create(name=f"供应商{i:02d}科技有限公司") for i in range(1, 21)]
    locations = [Location.objects.create(code="WH", name="信息中心库房", is_warehouse=True)]
    for b in "ABCD":
        for room in range(1, 13):
            locations.append(Location.objects.create(code=f"{b}{room:03d}", name=f"{b}栋{room:03d}室"))
    return {"categories": categories, "models": models, "suppliers": suppliers, "locations": locations}


def weighted(rng: random.Random, mix) -> str:
    total = sum(w for _s, w in mix)
    pick = rng.uniform(0, total)
    for status, weight in mix:
        pick -= weight
        if pick <= 0:
            return status
    return mix[-1][0]


def generate_assets(rng: random.Random, org, catalogue, count: int, *, changelog: bool) -> dict:
    from django.db import transaction

    from zhidu.assets.models import Asset, CustodyPeriod
    from zhidu.core.models import DocumentSequence

    people = org["people"]
    by_unit: dict[int, list] = {}
    for person in people:
        by_unit.setdefault(person.department_id, []).append(person)
    units = sorted(by_unit)
    span = (END - START).total_seconds()
    stats = {"assets": 0, "custody": 0, "changelog": 0}
    sequences: dict[int, int] = {}
    writer = ChangeLogWriter() if changelog else None
    for start in range(0, count, BATCH):
        assets, periods_of = [], []
        for i in range(start, min(count, start + BATCH)):
            created = START + datetime.timedelta(seconds=span * i / count)
            year = created.year
            sequences[year] = sequences.get(year, 0) + 1
            model = catalogue["models"][rng.randrange(len(catalogue["models"]))]
            unit_id = units[rng.randrange(len(units))]
            status = weighted(rng, STATUS_MIX)
            holder = rng.choice(by_unit[unit_id]) if status == "in_use" else None
            price = Decimal(rng.randrange(80000, 2500000)) / 100
            purchase = created.date()
            asset = Asset(
                number=f"ZC-{year}-{sequences[year]:06d}", name=f"{model.category.name} {model.name}",
                category_id=model.category_id, model=model, serial_number=f"SN{rng.randrange(16**10):010X}",
                configuration="", supplier=catalogue["suppliers"][i % 20], purchase_date=purchase,
                purchase_price=price, warranty_end=purchase + datetime.timedelta(days=365 * rng.choice((1, 2, 3, 5))),
                status=status, department_id=unit_id, custodian=holder,
                location=catalogue["locations"][0 if status == "in_stock" else rng.randrange(1, 49)],
                is_classified=rng.random() < 0.03, created=created, updated=created,
            )
            assets.append(asset)
            periods_of.append(_periods(rng, asset, by_unit[unit_id], created) if status != "in_stock" or
                              rng.random() < 0.5 else [])
        with generate.manual_timestamps(Asset, CustodyPeriod), transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=BATCH)
            periods = []
            for asset, plan in zip(assets, periods_of, strict=True):
                for period in plan:
                    period.asset = asset
                    periods.append(period)
            CustodyPeriod.objects.bulk_create(periods, batch_size=BATCH)
            if writer is not None:
                stats["changelog"] += writer.write([*assets, *periods])
        stats["assets"] += len(assets)
        stats["custody"] += len(periods)
        if (start // BATCH) % 10 == 0:
            log(f"  {stats['assets']} assets, {stats['custody']} custody periods, {stats['changelog']} log entries")
    for year, last in sequences.items():
        DocumentSequence.objects.update_or_create(key="ZC", year=year, defaults={"last": last})
    return stats


def _periods(rng: random.Random, asset, people: list, created) -> list:
    from zhidu.assets.models import CustodyPeriod

    n = rng.randint(1, 8)
    now = END
    step = (now - created) / (n + 1)
    periods = []
    for k in range(n):
        began = created + step * k
        last = k == n - 1
        holder = asset.custodian if (last and asset.custodian is not None) else rng.choice(people)
        ended = None if (last and asset.status == "in_use") else began + step
        periods.append(CustodyPeriod(custodian=holder, department_id=asset.department_id, started=began, ended=ended,
                                     reason="issue" if k == 0 else "change", created=began, updated=began))
    return periods


class ChangeLogWriter:
    """Hash-chained "create" entries, batch by batch (flat memory), as the signal writes them."""

    def __init__(self):
        from zhidu.core.changelog import GENESIS
        from zhidu.core.models.changelog import ChangeLogHead

        head, _ = ChangeLogHead.objects.get_or_create(id=1)
        self.prev = head.last_hash or GENESIS
        self.types = {}

    def write(self, objects) -> int:
        from django.contrib.contenttypes.models import ContentType

        from zhidu.core.changelog import entry_digest, normalize, snapshot
        from zhidu.core.models.changelog import ChangeLogEntry, ChangeLogHead

        entries = []
        for obj in objects:
            model = type(obj)
            if model not in self.types:
                self.types[model] = ContentType.objects.get_for_model(model)
            entry = ChangeLogEntry(
                time=obj.created, actor=None, actor_name="", request_id="", source="bench", ip=None,
                content_type=self.types[model], object_id=str(obj.pk), object_repr=str(obj)[:200],
                action=ChangeLogEntry.Action.CREATE, before=None, after=normalize(snapshot(obj)), prev_hash=self.prev,
            )
            entry.hash = self.prev = entry_digest(entry, self.prev)
            entries.append(entry)
        ChangeLogEntry.objects.bulk_create(entries, batch_size=1000)
        last = ChangeLogEntry.objects.order_by("-id").values_list("id", "hash").first()
        ChangeLogHead.objects.filter(id=1).update(last_id=last[0], last_hash=last[1])
        return len(entries)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.db.startswith("sqlite") and args.reset:
        generate.reset_sqlite(args.db)
    common.setup_django(args.db, syncdb=args.schema == "syncdb")
    from django.db import connection

    if args.reset and connection.vendor == "postgresql":
        generate.reset_postgres()
    t0 = time.perf_counter()
    generate.build_schema(args.schema)
    from zhidu.assets.models import Asset

    if Asset.objects.exists():
        sys.exit("The database already holds assets: pass --reset.")
    log(f"schema ({args.schema}) on {common.describe_db(args.db)}: {time.perf_counter() - t0:.1f}s")
    rng = random.Random(args.seed)
    t1 = time.perf_counter()
    org = generate.build_org(rng, args.people or max(200, args.assets // 40))
    catalogue = build_catalogue(rng, org)
    log(f"org and catalogue: {len(org['people'])} people, {len(catalogue['categories'])} categories "
        f"({time.perf_counter() - t1:.1f}s)")
    t2 = time.perf_counter()
    stats = generate_assets(rng, org, catalogue, args.assets, changelog=not args.no_changelog)
    took = time.perf_counter() - t2
    generate.analyze()
    rows = stats["assets"] + stats["custody"] + stats["changelog"]
    log(f"assets: {stats['assets']}, custody periods: {stats['custody']}, change-log entries: {stats['changelog']} "
        f"= {rows} rows in {took:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
