#!/usr/bin/env python
"""Server time and queries of the purchase-request list page (HTML) and list API.

    uv run python bench/run_lists.py --db sqlite:///var/bench.sqlite3
    uv run python bench/run_lists.py --db postgresql://postgres@127.0.0.1:5432/zhidu_bench --repeat 50

Run `bench/generate.py` on the same database first. For each bench user — bench_it (IT staff,
sees every request) and bench_head (head of 生产技术部: its subtree, scoped) — and each case —
the first page, a filtered page (status = in approval), a search (q=打印机) and a deep page
(90 % through the user's rows) — of the HTML list `/procurement/requests/` and of the API
`/api/procurement/requests/`, it:

1. sends 3 warm-up requests;
2. sends one request under `CaptureQueriesContext` and counts its SQL queries (this pass is
   not timed: capturing slows the database wrapper down);
3. sends `--repeat` requests and times each in-process around Django's test `Client.get`:
   the whole server side (middleware, session, scoping, queries, template or serializer) of a
   signed-in user, without network or browser time;

then prints median and p95 (nearest rank) wall-clock milliseconds, the median CPU time of the
serving thread (Django, and with SQLite the database engine too, which runs in-process; with
PostgreSQL the server's own work is not in it), the SQL time of the counted pass, the queries
per request, the rows the user can see (visible), those the case selects (matching) and those
on the page, as a Markdown table; `--json FILE` writes the figures too. `--slowest` prints the
slowest SQL query of each case (for diagnosis). The machine's load average is printed too:
on a shared machine wall-clock times grow with it, CPU times much less.

Nothing is asserted: these are figures to read, not tests (DESIGN "Data, scale and speed").
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PAGE_URL = "/procurement/requests/"
API_URL = "/api/procurement/requests/"
HTML_PER_PAGE = 25  # the list page's default page size
API_PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"]
SEARCH = "打印机"
DEEP = 0.9


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="DATABASE_URL of a database made by bench/generate.py")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--users", default=f"{common.IT_STAFF},{common.DEPT_HEAD}",
                        help="comma-separated bench usernames (default bench_it,bench_head)")
    parser.add_argument("--only", choices=("page", "api"), help="only the HTML page or only the API")
    parser.add_argument("--cases", default="first,filtered,search,deep",
                        help="comma-separated cases (default first,filtered,search,deep)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--slowest", action="store_true", help="print the slowest SQL query of each case")
    return parser.parse_args(argv)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def fetch(client, path: str):
    response = client.get(path)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def rows_on(response, kind: str) -> tuple[int, int]:
    """(rows matching the filter, rows on the page)."""
    if kind == "api":
        data = response.json()
        return data.get("count", 0), len(data.get("results", []))
    context = response.context_data  # the list page answers with a TemplateResponse
    return context["total"], len(context["table"].page.object_list)


def cases_for(user, *, kind: str, wanted: list[str]):
    from zhidu.procurement.models import PurchaseRequest

    visible = PurchaseRequest.objects.restrict(user, "view").count()
    base = PAGE_URL if kind == "page" else API_URL
    size = HTML_PER_PAGE if kind == "page" else API_PAGE_SIZE
    pages = max(1, math.ceil(visible / size))
    deep = max(1, math.ceil(pages * DEEP))
    all_cases = {
        "first": base,
        "filtered": f"{base}?status=submitted",
        "search": f"{base}?q={SEARCH}",
        "deep": f"{base}?page={deep}",
    }
    return visible, [(name, all_cases[name]) for name in wanted]


def measure(client, path: str, repeat: int, *, kind: str, slowest: bool) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = fetch(client, path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}\n{response.content[:2000]!r}")
    with CaptureQueriesContext(connection) as ctx:
        response = fetch(client, path)
    queries = list(ctx.captured_queries)
    matching, rows = rows_on(response, kind)
    reset_queries()
    times, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.thread_time(), time.perf_counter()
        response = fetch(client, path)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert response.status_code == 200, path
    result = {
        "path": path, "queries": len(queries), "matching": matching, "rows_on_page": rows, "bytes": len(response.content),
        "median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
        "min_ms": round(min(times), 1), "max_ms": round(max(times), 1), "repeat": repeat,
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "db_ms": round(sum(float(q.get("time") or 0) for q in queries) * 1000, 1),
    }
    if slowest and queries:
        worst = max(queries, key=lambda q: float(q.get("time") or 0))
        result["slowest_sql"] = worst["sql"]
        result["slowest_sql_ms"] = round(float(worst.get("time") or 0) * 1000, 1)
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    common.setup_django(args.db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from zhidu.procurement.models import PurchaseRequest

    load_before = os.getloadavg()
    total = PurchaseRequest.objects.count()
    if not total:
        raise SystemExit("No purchase requests: run bench/generate.py on this database first.")
    kinds = [args.only] if args.only else ["page", "api"]
    wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
    User = get_user_model()
    results = []
    print(f"# {total} purchase requests on {connection.vendor} ({common.describe_db(args.db)}), "
          f"{args.repeat} timed requests per case", flush=True)
    for username in [u.strip() for u in args.users.split(",") if u.strip()]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for kind in kinds:
            visible, cases = cases_for(user, kind=kind, wanted=wanted)
            for name, path in cases:
                figures = measure(client, path, args.repeat, kind=kind, slowest=args.slowest)
                figures.update(user=username, kind=kind, case=name, visible=visible)
                results.append(figures)
                print(f"  {username:<11} {kind:<4} {name:<8} median {figures['median_ms']:>7.1f} ms  "
                      f"p95 {figures['p95_ms']:>7.1f} ms  cpu {figures['cpu_median_ms']:>6.1f} ms  "
                      f"{figures['queries']:>2} queries ({figures['db_ms']} ms)  {path}", flush=True)
                if args.slowest and "slowest_sql" in figures:
                    print(f"      slowest query {figures['slowest_sql_ms']} ms: {figures['slowest_sql'][:1500]}")

    load_after = os.getloadavg()
    print()
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    print()
    print("| user | list | case | visible | matching | on page | median ms | p95 ms | CPU median ms | queries | SQL ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['user']} | {'HTML page' if r['kind'] == 'page' else 'API'} | {r['case']} | {r['visible']} | "
              f"{r['matching']} | {r['rows_on_page']} | {r['median_ms']} | {r['p95_ms']} | {r['cpu_median_ms']} | "
              f"{r['queries']} | {r['db_ms']} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor, "db": common.describe_db(args.db), "requests": total,
            "repeat": args.repeat, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after,
            "results": results,
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
