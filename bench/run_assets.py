#!/usr/bin/env python
"""Asset ledger benchmark: list page and API, import of N rows from .xlsx, export of N rows.

    uv run python bench/run_assets.py --db sqlite:///var/bench-assets.sqlite3
    uv run python bench/run_assets.py --db postgresql://postgres@127.0.0.1:5432/zhidu_bench_assets --repeat 30

Run `bench/generate_assets.py` on the same database first. Three parts (`--only lists|import|export`):

* lists: the asset list page `/assets/` and the API `/api/assets/assets/`, first page, a
  filtered page (status = in use, one category) and a deep page (90 % through), for bench_it
  (IT staff, sees the whole ledger) and bench_head (a department head, scoped): median and p95
  server time (in-process Django test client, as `run_lists.py`, whose `measure` is reused)
  and SQL queries per request;
* import: an .xlsx of `--import-rows` new assets with Chinese headers (category by name,
  department by code, custodian by employee number, so every row opens a custody period) is
  imported with `AssetImporter` (mode "valid rows") inside a transaction that is rolled back
  at the end (the database is unchanged); rows per second, and the peak Python memory
  (tracemalloc, in a second, traced pass when `--trace-import`) and the peak RSS;
* export: the list export `?export=csv|xlsx` of every asset (the streamed path, the one the
  background job writes too), time to first byte, total time, bytes, the peak RSS before and
  after it (flat memory: the high-water mark does not grow with the rows), and the peak Python
  memory (tracemalloc) of one supplier's rows (≈5 %) — and of all rows with `--export-trace-all`.

Nothing is asserted: figures to read (DESIGN "Data, scale and speed").
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import math
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import run_lists  # noqa: E402  — reuses measure(), percentile()

PAGE_URL = "/assets/"
API_URL = "/api/assets/assets/"
HEADERS = ["资产编号", "资产名称", "类别", "品牌/厂商", "型号", "序列号", "供应商", "购置日期", "原值", "保修截止",
           "使用部门", "使用人/责任人", "存放地点", "涉密", "备注"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", choices=("lists", "import", "export"))
    parser.add_argument("--users", default=f"{common.IT_STAFF},{common.DEPT_HEAD}")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--trace-import", action="store_true", help="a second, tracemalloc-traced import pass")
    parser.add_argument("--export-formats", default="csv,xlsx")
    parser.add_argument("--export-trace-all", action="store_true",
                        help="trace the full export with tracemalloc too (slower); default: RSS only")
    parser.add_argument("--json", type=Path)
    return parser.parse_args(argv)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# -- lists ------------------------------------------------------------------------------------
def list_cases(user, kind: str):
    from zhidu.assets.models import Asset, AssetCategory

    visible = Asset.objects.restrict(user, "view").count()
    base = PAGE_URL if kind == "page" else API_URL
    size = run_lists.HTML_PER_PAGE if kind == "page" else run_lists.API_PAGE_SIZE
    deep = max(1, math.ceil(max(1, math.ceil(visible / size)) * 0.9))
    category = AssetCategory.objects.order_by("pk").first()
    return visible, [("first", base), ("filtered", f"{base}?status=in_use&category={category.pk}"),
                     ("deep", f"{base}?page={deep}")]


def bench_lists(args, results):
    from django.contrib.auth import get_user_model
    from django.test import Client

    for username in [u.strip() for u in args.users.split(",") if u.strip()]:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        for kind in ("page", "api"):
            visible, cases = list_cases(user, kind)
            for name, path in cases:
                try:
                    figures = run_lists.measure(client, path, args.repeat, kind=kind, slowest=False)
                except SystemExit as exc:
                    print(f"  {username} {kind} {name}: {str(exc)[:200]}")
                    continue
                figures.update(user=username, kind=kind, case=name, visible=visible, part="lists",
                               load=round(os.getloadavg()[0], 2))
                results.append(figures)
                print(f"  {username:<11} {kind:<4} {name:<8} median {figures['median_ms']:>7.1f} ms  "
                      f"p95 {figures['p95_ms']:>7.1f} ms  cpu {figures['cpu_median_ms']:>6.1f} ms  "
                      f"{figures['queries']:>2} queries  load {figures['load']:.1f}  visible {visible}  {path}",
                      flush=True)


# -- import -----------------------------------------------------------------------------------
def build_import_file(n: int) -> bytes:
    """N new assets (numbers IMP-NNNNNNN), deterministic, referring to the bench org and catalogue."""
    from openpyxl import Workbook

    from zhidu.assets.models import AssetCategory, AssetModel, Location, Supplier
    from zhidu.org.models import Person

    categories = {c.pk: c.name for c in AssetCategory.objects.all()}
    models = list(AssetModel.objects.order_by("pk"))
    suppliers = list(Supplier.objects.order_by("pk").values_list("name", flat=True))
    locations = list(Location.objects.order_by("pk").values_list("code", flat=True))
    people = list(Person.objects.select_related("department").order_by("pk")[:2000])
    # the category card fields (AST-01) as extra columns, headed by their key, filled for the row's category
    schemas = {c.pk: c.field_schema or [] for c in AssetCategory.objects.all()}
    keys: list[str] = []
    for schema in schemas.values():
        keys += [spec["key"] for spec in schema if spec["key"] not in keys]
    samples = {"number": "8", "date": "2024-01-01", "bool": "否"}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资产")
    sheet.append(HEADERS + keys)
    for i in range(n):
        model = models[i % len(models)]
        person = people[(i * 7) % len(people)]
        held = i % 4 != 0
        values = {spec["key"]: (spec.get("choices") or [samples.get(spec.get("type"), "示例")])[0]
                  for spec in schemas[model.category_id]}
        sheet.append([
            f"IMP-{i:07d}", f"导入设备{i}", categories[model.category_id], model.manufacturer, model.name,
            f"ISN{i:09d}", suppliers[i % len(suppliers)], "2024-03-01", "4999.00", "2027-03-01",
            person.department.code, person.employee_no if held else "", locations[i % len(locations)],
            "否", "",
        ] + [values.get(key, "") for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_import(args, results, root):
    from django.db import transaction

    from zhidu.assets.imports import AssetImporter
    from zhidu.core.imports import ImportMode, run_import

    t0 = time.perf_counter()
    data = build_import_file(args.import_rows)
    print(f"  import file: {args.import_rows} rows, {len(data) / 1e6:.1f} MB, built in {time.perf_counter() - t0:.1f}s",
          flush=True)
    passes = [False, True] if args.trace_import else [False]
    for traced in passes:
        rss_before = rss_mb()
        if traced:
            tracemalloc.start()
        t1 = time.perf_counter()
        with transaction.atomic():
            result = run_import(AssetImporter(user=root), data=data, filename="bench.xlsx",
                                mode=ImportMode.VALID_ROWS, max_rows=None)
            took = time.perf_counter() - t1
            transaction.set_rollback(True)
        peak = tracemalloc.get_traced_memory()[1] / 1e6 if traced else None
        if traced:
            tracemalloc.stop()
        figures = {"part": "import", "rows": result.total, "created": result.created, "errors": result.error_rows,
                   "seconds": round(took, 1), "rows_per_s": round(result.total / took), "traced": traced,
                   "peak_python_mb": round(peak, 1) if peak else None,
                   "peak_rss_mb": round(rss_mb(), 1), "rss_before_mb": round(rss_before, 1)}
        if result.errors:
            figures["first_error"] = f"row {result.errors[0].row} {result.errors[0].column}: {result.errors[0].message}"
        results.append(figures)
        print(f"  import{' (traced)' if traced else ''}: {figures['rows']} rows, {figures['created']} created, "
              f"{figures['errors']} errors in {figures['seconds']}s = {figures['rows_per_s']} rows/s; "
              f"peak python {figures['peak_python_mb']} MB, peak RSS {figures['peak_rss_mb']} MB", flush=True)
        if result.errors:
            print(f"    first error: {figures['first_error']}")


# -- export -----------------------------------------------------------------------------------
def export_once(client, path: str, *, traced: bool) -> dict:
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get(path)
    first = None
    size = 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - t0
        size += len(chunk)
    total = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e6 if traced else None
    if traced:
        tracemalloc.stop()
    return {"ttfb_s": round(first or total, 2), "total_s": round(total, 1), "bytes": size,
            "peak_python_mb": round(peak, 1) if peak is not None else None}


def bench_export(args, results, root):
    from django.test import Client, override_settings

    from zhidu.assets.models import Asset

    client = Client()
    client.force_login(root)
    from zhidu.assets.models import Supplier

    total = Asset.objects.count()
    supplier = Supplier.objects.order_by("pk").first()
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=10**9):  # the streamed path
        for fmt in [f.strip() for f in args.export_formats.split(",") if f.strip()]:
            subset = export_once(client, f"{PAGE_URL}?export={fmt}&supplier={supplier.pk}", traced=True)
            print(f"  export {fmt}, one supplier (≈5 %): {subset['bytes'] / 1e6:.1f} MB in {subset['total_s']}s "
                  f"(traced), peak python {subset['peak_python_mb']} MB", flush=True)
            rss_before = rss_mb()
            timed = export_once(client, f"{PAGE_URL}?export={fmt}", traced=args.export_trace_all)
            figures = {"part": "export", "format": fmt, "rows": total, **timed, "rss_before_mb": round(rss_before, 1),
                       "peak_rss_mb": round(rss_mb(), 1), "subset_peak_python_mb": subset["peak_python_mb"],
                       "subset_bytes": subset["bytes"]}
            results.append(figures)
            print(f"  export {fmt}: {total} rows, first byte {timed['ttfb_s']}s, total {timed['total_s']}s, "
                  f"{timed['bytes'] / 1e6:.1f} MB; peak RSS {rss_before:.0f} MB before → {figures['peak_rss_mb']:.0f} MB "
                  f"after; peak python {timed['peak_python_mb']} MB", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    common.setup_django(args.db)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from zhidu.assets.models import Asset, CustodyPeriod
    from zhidu.core.models import ChangeLogEntry

    count = Asset.objects.count()
    if not count:
        raise SystemExit("No assets: run bench/generate_assets.py on this database first.")
    User = get_user_model()
    root = User.objects.filter(username="bench_root").first() or User.objects.create_superuser(
        "bench_root", "root@bench.example.cn", common.BENCH_PASSWORD)
    print(f"# {count} assets, {CustodyPeriod.objects.count()} custody periods, {ChangeLogEntry.objects.count()} "
          f"change-log entries on {connection.vendor} ({common.describe_db(args.db)}); load {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs", flush=True)
    results: list[dict] = []
    if args.only in (None, "lists"):
        bench_lists(args, results)
    if args.only in (None, "export"):
        bench_export(args, results, root)
    if args.only in (None, "import"):
        bench_import(args, results, root)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "database": connection.vendor,
            "assets": count, "repeat": args.repeat, "load": os.getloadavg(), "results": results,
        }, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
