#!/usr/bin/env python
"""Where the time of one list request goes: the SQL (with EXPLAIN ANALYZE) and the Python (cProfile).

    uv run python bench/profile_list.py --db postgresql://postgres@127.0.0.1:5432/bench_assets \
        --user bench_it --path '/assets/?page=3600'

Signs `--user` in on the test client (as run_lists.py), warms up, then: one request under
`CaptureQueriesContext` whose queries are listed with their time (and, with `--explain`, each
SELECT re-run under EXPLAIN ANALYZE on PostgreSQL / EXPLAIN QUERY PLAN on SQLite), and
`--repeat` requests under cProfile, whose top functions are printed (cumulative and own time).
A diagnosis tool: nothing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import run_lists  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", default=common.IT_STAFF)
    parser.add_argument("--path", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every SELECT")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--partial", action="store_true", help="as htmx refreshing the table (the table only)")
    args = parser.parse_args(argv)
    common.setup_django(args.db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"HX-Request": "true", "HX-Target": "object-list-table"} if args.partial else None)
    client.force_login(get_user_model().objects.get(username=args.user))
    for _ in range(3):
        run_lists.fetch(client, args.path)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        run_lists.fetch(client, args.path)
        took = (time.perf_counter() - t0) * 1000
    queries = ctx.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(f"# {args.path} as {args.user}: {took:.1f} ms, {len(queries)} queries, {sql_ms:.1f} ms SQL")
    for i, q in enumerate(queries, 1):
        print(f"\n[{i}] {float(q['time']) * 1000:.1f} ms  {q['sql'][:600]}")
        if args.explain and q["sql"].lstrip().upper().startswith("SELECT"):
            prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + q["sql"])
                for row in cursor.fetchall():
                    print("    " + " | ".join(str(c) for c in row))
    profile = cProfile.Profile(time.thread_time)  # CPU: the machine is shared
    t0 = time.perf_counter()
    profile.enable()
    for _ in range(args.repeat):
        run_lists.fetch(client, args.path)
    profile.disable()
    print(f"\n# cProfile, {args.repeat} requests, {(time.perf_counter() - t0) * 1000 / args.repeat:.1f} ms each "
          "(profiled)")
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(key).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
