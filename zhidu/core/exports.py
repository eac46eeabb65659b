"""Streaming xlsx/csv export of any list (DESIGN "Data, scale and speed": exports stream).

`export_rows(queryset, table, fmt)` yields the bytes of the file: every row of the queryset
(already restricted and filtered by the caller), through the table's exported columns, with
flat memory (rows fetched in chunks; xlsx written by openpyxl's write-only mode into a
temporary file, then read back in chunks). A background export task reuses it and writes
the chunks to storage; the list view wraps it in a StreamingHttpResponse.

Every text cell that a spreadsheet would read as a formula (starting with = + - @ tab or
carriage return, or their full-width forms) gets a leading apostrophe (formula injection,
OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from urllib.parse import quote

from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django_tables2.rows import BoundRow

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CHUNK_ROWS = 2000
READ_CHUNK = 64 * 1024
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _install_signature_cache() -> None:
    """django-tables2 calls `inspect.signature` for every cell it renders (`call_with_appropriate`),
    which dominated the time of a 100,000-row export (bench/run_assets.py). The result depends only
    on the function's code (and whether it is bound), so it is cached per code object; wrapped
    (decorated) functions and other callables keep the uncached path. Memory stays bounded: code
    objects are few, even when a lambda is created per row."""
    from django_tables2 import utils as tables_utils

    original = tables_utils.signature
    if getattr(original, "zhidu_cached", False):
        return
    cache: dict = {}

    def signature(fn):
        code = getattr(getattr(fn, "__func__", fn), "__code__", None)
        if code is None or hasattr(fn, "__wrapped__") or hasattr(getattr(fn, "__func__", None), "__wrapped__"):
            return original(fn)
        key = (code, hasattr(fn, "__self__"))
        found = cache.get(key)
        if found is None:
            found = cache[key] = original(fn)
        return found

    signature.zhidu_cached = True
    tables_utils.signature = signature


_install_signature_cache()


def escape_formula(value):
    """A text that a spreadsheet would evaluate gets a leading apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def plain_value(value):
    """A cell value as str / int / float / Decimal / date / datetime (naive, Asia/Shanghai) / None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return force_str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value
    return escape_formula(force_str(value))


def export_columns(table) -> list:
    """The bound columns an export writes: the table's shown columns minus exclude_from_export."""
    return [c for c in table.columns.iterall() if not c.column.exclude_from_export]


def iter_values(queryset, table, *, chunk_size: int = CHUNK_ROWS, progress=None) -> Iterator[list]:
    """Header row, then one list of plain values per object (formula-escaped).

    `progress(done)`, if given, is called after every `chunk_size` rows and at the end
    (a background export shows it, zhidu.core.background)."""
    columns = export_columns(table)
    yield [escape_formula(force_str(c.header)) for c in columns]
    names = [c.name for c in columns]
    done = 0
    for record in queryset.iterator(chunk_size=chunk_size):
        row = BoundRow(record, table=table)
        yield [plain_value(row.get_cell_value(name)) for name in names]
        done += 1
        if progress is not None and done % chunk_size == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _resolve_table(queryset, table):
    if isinstance(table, type):
        table = table(queryset)
    return table


def export_rows(queryset, table, fmt: str, *, sheet_title: str = "", progress=None) -> Iterator[bytes]:
    """The bytes of the export file, in chunks. `table`: a Table instance (its chosen columns) or class.
    `progress(done)`: called as rows are written (see `iter_values`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    table = _resolve_table(queryset, table)
    rows = iter_values(queryset, table, progress=progress)
    if fmt == "csv":
        return _csv_chunks(rows)
    title = sheet_title or force_str(queryset.model._meta.verbose_name_plural)
    return _xlsx_chunks(rows, title)


class _Echo:
    def write(self, value):
        return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM, so Excel in China opens it without mojibake."""
    yield b"\xef\xbb\xbf"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(v) for v in row])
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest.encode("utf-8")


def _xlsx_chunks(rows: Iterable[list], title: str) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(_SHEET_BAD.sub(" ", title).strip() or "Sheet1")[:31])
    sheet.freeze_panes = "A2"
    iterator = iter(rows)
    header = next(iterator, [])
    bold = Font(bold=True)
    for index, text in enumerate(header):
        width = min(max(len(str(text)) * 2 + 4, 10), 50)
        sheet.column_dimensions[_column_letter(index + 1)].width = width
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in iterator:
        sheet.append([_xlsx_cell(sheet, WriteOnlyCell, v) for v in row])
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(READ_CHUNK):
            yield chunk


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _xlsx_text(value: str) -> str:
    return _ILLEGAL_XLSX.sub("", value)


def _xlsx_cell(sheet, cell_class, value):
    if isinstance(value, str):
        return _xlsx_text(value)
    if isinstance(value, datetime.datetime):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = cell_class(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value


def export_filename(model, fmt: str, *, today: datetime.date | None = None) -> str:
    """"采购申请-20260105.xlsx": the model's verbose name (current language) and the date."""
    today = today or timezone.localdate()
    name = force_str(model._meta.verbose_name_plural or model._meta.verbose_name)
    name = re.sub(r'[\\/:*?"<>|\r\n]+', " ", name).strip() or model._meta.model_name
    return f"{name}-{today:%Y%m%d}.{fmt}"


def content_disposition(filename: str) -> str:
    """An ASCII fallback `filename=` and the UTF-8 name as RFC 5987 `filename*=`."""
    ascii_name = filename.encode("ascii", "ignore").decode("ascii").strip(" -_.") or "export"
    if "." not in ascii_name:
        ascii_name = f"export-{ascii_name}" if ascii_name != "export" else "export"
        ascii_name += "." + filename.rsplit(".", 1)[-1]
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export_response(queryset, table, fmt: str, *, record: bool = True, query: dict | None = None):
    """A StreamingHttpResponse of the export; records an export event in the change log.

    The event is recorded against the model's ContentType (an export concerns no single
    object), with the format and the filter parameters, attributed to the request's actor.
    """
    model = queryset.model
    if record:
        from .changelog import record_event

        record_event(
            ContentType.objects.get_for_model(model),
            data={"event": "export", "format": fmt, "model": model._meta.label, "query": query or {}},
        )
    response = StreamingHttpResponse(export_rows(queryset, table, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(export_filename(model, fmt))
    response["Cache-Control"] = "no-store"
    return response
