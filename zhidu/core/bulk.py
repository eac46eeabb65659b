"""Plain multi-row INSERTs for append-only infrastructure rows (change-log entries, timeline
events) written by bulk operations such as an import of 100,000 rows (issue #3 import aim).

`QuerySet.bulk_create` compiles every value of every row into SQL in Python, which costs more
than the database's own work at that size; `insert_rows` prepares each value once with the
field's own `get_db_prep_save` and streams the rows with COPY on PostgreSQL (the client-side
binding of `executemany` quotes every value in Python) or `executemany` on SQLite. No signals,
no ids back: only for rows nobody edits and whose ids are not needed by the caller.
"""

from __future__ import annotations

from django.db import connections, router


def insert_rows(model, objs) -> int:
    """INSERT unsaved `objs` of `model` (ids assigned by the database); the number written."""
    objs = list(objs)
    if not objs:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields)
        for obj in objs
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    return len(rows)
