"""Generic spreadsheet import (DESIGN "Data, scale and speed": dry run, per-row errors).

Used by the organisation now (org chart, staff) and by assets/consumables later. An app
declares an `Importer`: its columns (with the Chinese header aliases people actually use),
the key that finds an existing object, how to clean a row and how to save it through the
app's services. `run_import()` does the rest:

* reads .xlsx (openpyxl, read-only) or .csv (UTF-8 with or without BOM, GBK/GB18030
  detected, comma/semicolon/tab detected);
* maps headers to fields ("工号", "员工编号" → employee_no), ignoring unknown columns;
* cleans every row and reports errors by spreadsheet row number, column and message;
* orders rows so a row referring to another row of the same file (a unit's parent, a
  person's manager) is saved after it;
* saves each row in its own savepoint through the services, inside
  `context.using(source="import")`, so the change log attributes every row to the import;
* mode `dry_run` validates everything and changes nothing; `all_or_nothing` (default)
  saves nothing when any row has an error; `valid_rows` saves the rows without errors.

    class PeopleImporter(Importer):
        key = "org.people"
        label = _("People")
        model = Person
        match_field = "employee_no"
        columns = [Column("employee_no", _("Employee number"), aliases=("工号", "员工编号"), required=True), ...]

        def clean(self, raw, row): ...          # -> dict of typed values; row.error(field, msg)
        def find(self, cleaned): ...            # existing object or None
        def save(self, cleaned, existing, row): # -> (Action, obj) through the services

    result = run_import(PeopleImporter(user=request.user), data=upload.read(), filename=upload.name,
                        mode=ImportMode.DRY_RUN)

`ImportView` is the page (upload, choose the mode, see the result table, download the
template); an app subclasses it with `importer_class` and a URL.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from . import context
from .errors import RuleViolation

MAX_ROWS = 20000
MAX_ERRORS_SHOWN = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportMode:
    DRY_RUN = "dry_run"
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ROWS = "valid_rows"

    choices = [
        (DRY_RUN, gettext_lazy("Check only (dry run): change nothing")),
        (ALL_OR_NOTHING, gettext_lazy("Import: all rows or nothing")),
        (VALID_ROWS, gettext_lazy("Import the valid rows, skip the rows with errors")),
    ]


class Action:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"
    SKIPPED = "skipped"

    labels = {
        CREATED: pgettext_lazy("import", "created"),
        UPDATED: pgettext_lazy("import", "updated"),
        UNCHANGED: pgettext_lazy("import", "unchanged"),
        ERROR: pgettext_lazy("import", "error"),
        SKIPPED: pgettext_lazy("import", "not imported"),
    }


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, a required column missing)."""


@dataclass
class Column:
    """One importable column. `header` is written in the template; any of `aliases` (and the
    header in every UI language) is recognised when reading, ignoring case, spaces, a
    trailing "*" and the kind of brackets."""

    field: str
    header: object  # str or lazy translation
    aliases: tuple[str, ...] = ()
    required: bool = False
    required_new: bool = False  # required when the row creates a new object (not for updates)
    help: object = ""
    example: str = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Row:
    """A data row of the file: `number` is the spreadsheet row number (header is row 1)."""

    number: int
    raw: dict[str, str]
    headers: dict[str, str]  # field -> header as written in the file
    errors: list[RowError] = field(default_factory=list)
    cleaned: dict | None = None
    action: str = ""
    key: str = ""
    label: str = ""
    messages: list[str] = field(default_factory=list)
    depends_on: int | None = None  # row number this row refers to (parent, manager…)

    def error(self, field_name: str | None, message) -> None:
        column = self.headers.get(field_name, field_name or "") if field_name else ""
        self.errors.append(RowError(row=self.number, column=str(column), message=str(message)))

    def note(self, message) -> None:
        self.messages.append(str(message))

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    importer_label: str
    mode: str
    rows: list[Row]
    ignored_headers: list[str]
    committed: bool = False
    file_errors: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def error_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def dry_run(self) -> bool:
        return self.mode == ImportMode.DRY_RUN

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_rows


# --------------------------------------------------------------------------- reading files


def normalise_header(text) -> str:
    text = str(text or "").strip().casefold()
    text = text.replace("（", "(").replace("）", ")").replace("＊", "*")
    text = re.sub(r"\s+", "", text)
    return text.rstrip("*").lstrip("*")


def cell_text(value) -> str:
    """A cell as text: integers without ".0", dates as ISO, everything stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded.")) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded.")) from exc


def _read_csv(data: bytes, max_rows: int | None = None) -> list[list[str]]:
    text = decode_csv(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append([cell_text(c) for c in row])
        if max_rows is not None and len(rows) > max_rows + 1:
            break
    return rows


def _read_workbook(data: bytes, max_rows: int | None = MAX_ROWS) -> list[list[str]]:
    """The first sheet of an .xlsx / .xlsm / .xls / .ods file, read by calamine (Rust): about
    twenty times faster than openpyxl, which matters at 100,000 rows (issue #3 import aim)."""
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises several kinds for a damaged or foreign file
        raise ImportFileError(_("The Excel file cannot be read (is it an .xlsx or .xls file?).")) from exc
    rows = []
    # row by row from calamine's compact range (not `to_python`, which would hold every cell
    # twice at the peak); padded to start at A1, so row and column numbers are the sheet's
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for values in sheet.iter_rows():
        rows.append([*pad, *(cell_text(v) for v in values)])
        if max_rows is not None and len(rows) > max_rows + 1:
            break
    return rows


OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls (and other OLE2 documents)


def read_table(data: bytes, filename: str = "", *, max_rows: int | None = MAX_ROWS) -> list[list[str]]:
    """All rows of the file's first sheet as text (header first); a workbook is read up to
    `max_rows` data rows (+1, so that "too many rows" can be told)."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    name = (filename or "").lower()
    if data[:4] in (b"PK\x03\x04", OLE2_MAGIC) or name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        return _read_workbook(data, max_rows)
    return _read_csv(data, max_rows)


# --------------------------------------------------------------------------- value parsers

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无", "不是", ""}


def parse_bool(text: str) -> bool:
    value = (text or "").strip().casefold()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not 是/否.") % {"value": text})


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(text: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial date that came through as a number
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(text)))
    raise ValueError(_("“%(value)s” is not a date (write it as 2026-03-01).") % {"value": text})


def parse_int(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from exc


def parse_decimal(text: str, places: int = 2) -> Decimal | None:
    text = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal(1).scaleb(-places))
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from exc


def parse_choice(text: str, choices, *, synonyms: dict[str, str] | None = None) -> str:
    """A TextChoices value from its value, its label (in any UI language) or a synonym."""
    value = (text or "").strip()
    lookup = {}
    for code, label in choices:
        lookup[str(code).casefold()] = code
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                lookup[str(label).casefold()] = code
    for word, code in (synonyms or {}).items():
        lookup[word.casefold()] = code
    found = lookup.get(value.casefold())
    if found is None:
        with translation.override(settings.LANGUAGE_CODE):
            allowed = "、".join(str(label) for _code, label in choices)
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})
    return found


# --------------------------------------------------------------------------- the importer


#: Every importer class by its `key`, filled as the classes are defined (`registered_importers`).
IMPORTERS: dict[str, type] = {}


def registered_importers() -> dict[str, type]:
    """The importers of all apps (each app's `imports` module is loaded first)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("imports")
    return IMPORTERS


class Importer:
    """What an app declares to import one kind of object. See the module docstring."""

    key: str = ""
    label = ""
    model = None
    columns: list[Column] = []
    match_field: str = ""
    template_rows: list[dict[str, str]] = []
    permission_actions: tuple[str, ...] = ("add", "change")
    #: The columns a user may choose to match existing records on, [(field, label)]; the
    #: first is the default (`match_field`). Empty: only `match_field`.
    match_keys: list[tuple[str, object]] = []
    #: Options the import page offers as check boxes, [(name, label)]; passed to __init__.
    options: list[tuple[str, object]] = []
    #: > 0: new records are built row by row (`build_new`) and written `batch_size` at a time
    #: (`create_new`) — imports of 100,000 rows; 0: every row goes through `save`.
    batch_size = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("key"):  # declared here, not inherited: a subclass names itself
            IMPORTERS[cls.key] = cls

    def __init__(self, *, user, **options):
        self.user = user
        self.option_values = {name: bool(options.get(name)) for name, _label in self.options}

    def set_match_key(self, key: str) -> None:
        """Match existing records on `key` (one of `match_keys`) instead of `match_field`."""
        allowed = {k for k, _label in self.match_keys} or {self.match_field}
        if key not in allowed:
            raise ValueError(f"unknown match key {key!r}")
        self.match_field = key

    # -- declarations an app overrides --------------------------------------------------------
    def check_permission(self) -> bool:
        """May the user use this importer at all (rows are also checked one by one)?"""
        from .scoping import has_perm_anywhere

        return bool(self.model) and all(has_perm_anywhere(self.user, self.model, a) for a in self.permission_actions)

    def prepare(self, rows: list[Row]) -> None:
        """Called once before the rows are cleaned (load lookup tables here)."""

    def clean(self, raw: dict[str, str], row: Row) -> dict:
        """Typed values of the row; report problems with `row.error(field, message)`."""
        return dict(raw)

    def dependency(self, cleaned: dict, keys_in_file: dict[str, Row]) -> str | None:
        """The key of another row of the file this row must be saved after (parent, manager)."""
        return None

    def find(self, cleaned: dict):
        raise NotImplementedError

    def save(self, cleaned: dict, existing, row: Row):
        """Save through the services; return (Action, obj). Raise RuleViolation/ValueError to refuse."""
        raise NotImplementedError

    def build_new(self, cleaned: dict, row: Row):
        """With `batch_size`: a new record checked but not yet written (refuse with row errors)."""
        raise NotImplementedError

    def create_new(self, built: list) -> list:
        """With `batch_size`: write records of `build_new` (all or none); the objects, in order."""
        raise NotImplementedError

    def describe(self, cleaned: dict) -> str:
        return str(cleaned.get(self.match_field, ""))

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    # -- helpers ------------------------------------------------------------------------------
    def header_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for column in self.columns:
            names = {column.field, *column.aliases}
            for lang, _name in settings.LANGUAGES:
                with translation.override(lang):
                    names.add(str(column.header))
            for name in names:
                lookup.setdefault(normalise_header(name), column.field)
        return lookup

    def suggest_mapping(self, header_row: list[str]) -> dict[str, str]:
        """{column index (str): field} as recognised from the header aliases (the mapping step's default)."""
        positions, _written, _ignored = _map_headers(self, header_row)
        return {str(i): f for i, f in positions.items()}

    def header_text(self, column: Column) -> str:
        return f"{column.header}{'*' if column.required or column.required_new else ''}"


def _mapping_positions(importer: Importer, header_row: list[str], mapping: dict) -> tuple[
        dict[int, str], dict[str, str], list[str]]:
    """Positions from a user's mapping {column index: field} (the mapping step); "" = ignore."""
    known = {c.field for c in importer.columns}
    positions: dict[int, str] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header_row):
        field_name = mapping.get(str(index)) or ""
        if field_name not in known or field_name in written:
            if str(text).strip():
                ignored.append(str(text))
            continue
        positions[index] = field_name
        written[field_name] = str(text).strip() or str(importer.column(field_name).header)
    return positions, written, ignored


def _map_headers(importer: Importer, header_row: list[str]) -> tuple[dict[int, str], dict[str, str], list[str]]:
    lookup = importer.header_lookup()
    positions: dict[int, str] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header_row):
        if not str(text).strip():
            continue
        field_name = lookup.get(normalise_header(text))
        if field_name is None or field_name in written:
            ignored.append(str(text))
            continue
        positions[index] = field_name
        written[field_name] = str(text).strip()
    return positions, written, ignored


def _order_rows(importer: Importer, rows: list[Row]) -> list[Row]:
    """File order, except that a row comes after the row it depends on; loops are errors."""
    by_key = {r.key: r for r in rows if r.ok and r.key}
    for row in rows:
        if not row.ok:
            continue
        dep_key = importer.dependency(row.cleaned, by_key)
        if dep_key and dep_key in by_key and by_key[dep_key] is not row:
            row.depends_on = by_key[dep_key].number
    by_number = {r.number: r for r in rows}
    ordered: list[Row] = []
    placed: set[int] = set()
    visiting: set[int] = set()

    def place(row: Row, trail: list[int]) -> None:
        if row.number in placed:
            return
        if row.number in visiting:
            loop = trail[trail.index(row.number):]
            for number in loop:
                by_number[number].error(None, _("Rows %(rows)s refer to each other in a loop.")
                                        % {"rows": "→".join(str(n) for n in [*loop, row.number])})
            return
        visiting.add(row.number)
        if row.depends_on is not None:
            place(by_number[row.depends_on], [*trail, row.number])
        visiting.discard(row.number)
        placed.add(row.number)
        ordered.append(row)

    for row in rows:
        place(row, [])
    return ordered


def _save_rows(importer: Importer, ordered: list[Row], progress=None, offset: int = 0) -> None:
    """Save the rows in order. With `importer.batch_size`, new records are built row by row
    and written in blocks (`_flush`); updates and rows that depend on another row go one by one."""
    by_number = {r.number: r for r in ordered}
    pending: list[tuple[Row, object]] = []
    for index, row in enumerate(ordered, start=1):
        if progress is not None:
            progress(offset + index)
        if not row.ok:
            row.action = Action.ERROR
            continue
        if row.depends_on is not None:
            _flush(importer, pending)
            if not by_number[row.depends_on].ok:
                row.error(None, _("Refers to row %(row)d, which has errors.") % {"row": row.depends_on})
                row.action = Action.ERROR
                continue
        if importer.batch_size and importer.find(row.cleaned) is None:
            built = _guarded(row, lambda row=row: importer.build_new(row.cleaned, row), new=importer, savepoint=False)
            if built is not None:
                pending.append((row, built))
                if len(pending) >= importer.batch_size:
                    _flush(importer, pending)
            continue
        _save_one(importer, row)
        _release(row)
    _flush(importer, pending)


def _release(row: Row) -> None:
    """A saved row keeps only its report (number, key, action, label, messages, errors): the
    cell values are not needed any more, which keeps a 100,000-row import's memory down."""
    row.raw = {}
    row.cleaned = None


def _flush(importer: Importer, pending: list) -> None:
    """Write the built new records in one block; when the block is refused, save its rows one
    by one so that each error lands on its row."""
    if not pending:
        return
    try:
        with transaction.atomic():
            objs = importer.create_new([built for _row, built in pending])
    except (_RowRefused, RuleViolation, ValidationError, ValueError, IntegrityError, DatabaseError):
        for row, _built in pending:
            _save_one(importer, row)
    else:
        for (row, _built), obj in zip(pending, objs, strict=True):
            row.action = Action.CREATED
            row.label = str(obj)
    for row, _built in pending:
        _release(row)
    pending.clear()


def _save_one(importer: Importer, row: Row) -> None:
    existing = importer.find(row.cleaned)

    def save():
        action, obj = importer.save(row.cleaned, existing, row)
        row.action = action
        if obj is not None:
            row.label = str(obj)

    _guarded(row, save, new=importer if existing is None else None)


def _guarded(row: Row, work, *, new: Importer | None, savepoint: bool = True):
    """Run `work` in a savepoint; a refusal becomes the row's error (and rolls back its writes).
    `new`: the importer, when the row is a new record whose required columns are checked first.
    `build_new` runs without one (two queries a row saved): it only reads, or creates catalogue
    entries the user asked for, each in its service's own transaction."""
    try:
        with transaction.atomic() if savepoint else contextlib.nullcontext():
            if new is not None and _missing_required_new(new, row):
                raise _RowRefused
            result = work()
            if not row.ok:  # the importer refused the row without raising
                raise _RowRefused
            return result
    except _RowRefused:
        pass
    except RuleViolation as exc:
        row.error(None, exc.message)
    except ValidationError as exc:
        for message in exc.messages:
            row.error(None, message)
    except ValueError as exc:
        row.error(None, str(exc))
    except (IntegrityError, DatabaseError) as exc:
        row.error(None, _("The database refused the row: %(error)s") % {"error": exc})
    row.action = Action.ERROR
    return None


def _missing_required_new(importer: Importer, row: Row) -> bool:
    missing = [c for c in importer.columns if c.required_new and not row.raw.get(c.field, "").strip()]
    for column in missing:
        row.error(column.field, _("This column is required for a new record."))
    return bool(missing)


class _RowRefused(Exception):
    pass


def _rollback_import():
    transaction.set_rollback(True)


def run_import(importer: Importer, *, data: bytes, filename: str = "", mode: str = ImportMode.ALL_OR_NOTHING,
               mapping: dict | None = None, progress=None, max_rows: int | None = MAX_ROWS) -> ImportResult:
    """Read, validate and (unless a dry run, or errors in all-or-nothing mode) save the file.

    `mapping`: {column index (str): field} chosen on the mapping step (otherwise the headers
    are recognised by their aliases); `progress(done, total=…)`: called as rows are checked
    and saved (a background import shows it; total = 2 × rows); `max_rows`: None = no limit
    (background imports)."""
    if mode not in {m for m, _label in ImportMode.choices}:
        raise ValueError(f"unknown import mode {mode!r}")
    result = ImportResult(importer_label=str(importer.label), mode=mode, rows=[], ignored_headers=[])
    try:
        table = read_table(data, filename, max_rows=max_rows)
    except ImportFileError as exc:
        result.file_errors.append(str(exc))
        return result
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        result.file_errors.append(_("The file has no header row."))
        return result
    if mapping:
        positions, written, ignored = _mapping_positions(importer, table[0], mapping)
    else:
        positions, written, ignored = _map_headers(importer, table[0])
    result.ignored_headers = ignored
    missing = [c for c in importer.columns if c.required and c.field not in written]
    if missing:
        result.file_errors.append(
            _("Required column(s) missing: %(columns)s. Download the template to see the expected headers.")
            % {"columns": "、".join(str(c.header) for c in missing)}
        )
        return result
    if max_rows is not None and len(table) - 1 > max_rows:
        result.file_errors.append(_("The file has more than %(n)d rows: split it.") % {"n": max_rows})
        return result

    rows: list[Row] = []
    for offset, values in enumerate(table[1:], start=2):
        raw = {f: (values[i] if i < len(values) else "") for i, f in positions.items()}
        if not any(raw.values()):
            continue
        rows.append(Row(number=offset, raw=raw, headers=written))
    del table
    result.rows = rows
    total_steps = 2 * len(rows)
    if progress is not None:
        progress(0, total=total_steps)
    if not rows:
        result.file_errors.append(_("The file has no data rows."))
        return result

    ip = context.current().ip
    with context.using(user=importer.user, source=context.Source.IMPORT, ip=ip):
        importer.prepare(rows)
        seen: dict[str, int] = {}
        for checked, row in enumerate(rows, start=1):
            if progress is not None:
                progress(checked)
            for column in importer.columns:
                if column.required and not row.raw.get(column.field, "").strip():
                    row.error(column.field, _("This column is required."))
            cleaned = importer.clean(row.raw, row)
            row.cleaned = cleaned
            key = str((cleaned or {}).get(importer.match_field) or row.raw.get(importer.match_field, "")).strip()
            row.key = key
            if key and any(c.required_new for c in importer.columns) and importer.find(cleaned) is None:
                for column in importer.columns:
                    if column.required_new and not row.raw.get(column.field, "").strip():
                        row.error(column.field, _("This column is required for a new record."))
            if key:
                if key in seen:
                    row.error(importer.match_field, _("Duplicate of row %(row)d.") % {"row": seen[key]})
                else:
                    seen[key] = row.number
        ordered = _order_rows(importer, rows)
        with transaction.atomic():
            _save_rows(importer, ordered, progress, offset=len(rows))
            has_errors = any(r.errors for r in rows)
            if mode == ImportMode.DRY_RUN or (mode == ImportMode.ALL_OR_NOTHING and has_errors):
                _rollback_import()
            else:
                result.committed = True
    if not result.committed or mode == ImportMode.VALID_ROWS:
        for row in rows:
            if row.errors:
                row.action = Action.ERROR
            elif not result.committed and mode != ImportMode.DRY_RUN:
                row.action = Action.SKIPPED
    return result


# --------------------------------------------------------------------------- template


def build_template(importer: Importer) -> bytes:
    """An .xlsx template: the headers (required ones marked *), example rows, drop-down lists
    for choice columns, and a second sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.label)[:31] or "data"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(importer.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=importer.header_text(column))
        cell.font = bold
        cell.fill = fill
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column.header)) * 2 + 4)
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS}")
    for r, example in enumerate(importer.template_rows, start=2):
        for index, column in enumerate(importer.columns, start=1):
            sheet.cell(row=r, column=index, value=example.get(column.field, ""))
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    heads = [_("Column"), _("Required"), _("Description"), _("Example")]
    for index, text in enumerate(heads, start=1):
        notes.cell(row=1, column=index, value=text).font = bold
    for r, column in enumerate(importer.columns, start=2):
        notes.cell(row=r, column=1, value=str(column.header))
        notes.cell(row=r, column=2, value=_("yes") if column.required else (
            _("for new records") if column.required_new else ""))
        notes.cell(row=r, column=3, value=str(column.help)).alignment = Alignment(wrap_text=True)
        notes.cell(row=r, column=4, value=column.example)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    footer = len(importer.columns) + 3
    notes.cell(row=footer, column=1, value=_(
        "Rows are matched on the first required column: an existing record is updated, a new one created. "
        "An empty cell leaves the current value unchanged. Files: .xlsx, or .csv in UTF-8 or GBK."
    ))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the page


STASH_DIR = "imports/pending"
SESSION_KEY = "zhidu_import_pending"


class ImportView(LoginRequiredMixin, View):
    """Upload a file, check it (dry run) or import it, and see the result row by row.

    A checked file is kept (per session) so "Import now" needs no second upload.
    `?template=1` downloads the .xlsx template. Subclass with `importer_class`,
    `title`, and optionally `back_url` (where the page links back to).
    """

    importer_class: type[Importer] = None
    template_name = "core/imports/page.html"
    title = None
    back_url = None
    template_filename = None

    #: Show the column-mapping step by default after the upload (the user can untick it).
    mapping_step = False

    def get_importer(self, **options) -> Importer:
        importer = self.importer_class(user=self.request.user, **options)
        if not importer.check_permission():
            raise PermissionDenied(_("You may not import %(what)s.") % {"what": importer.label})
        return importer

    def get_back_url(self):
        return self.back_url

    def context(self, importer, **extra):
        return {
            "importer": importer,
            "title": self.title or _("Import: %(what)s") % {"what": importer.label},
            "columns": importer.columns,
            "modes": ImportMode.choices,
            "mode": extra.pop("mode", ImportMode.DRY_RUN),
            "back_url": self.get_back_url(),
            "actions": Action.labels,
            "mapping_step": extra.pop("mapping_step", self.mapping_step),
            "match_keys": importer.match_keys,
            "match_key": extra.pop("match_key", importer.match_field),
            "import_options": [(n, label, importer.option_values.get(n)) for n, label in importer.options],
            **extra,
        }

    def get(self, request, *args, **kwargs):
        importer = self.get_importer()
        if request.GET.get("template"):
            response = HttpResponse(build_template(importer), content_type=XLSX_CONTENT_TYPE)
            filename = self.template_filename or f"{importer.key or 'import'}-template.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return render(request, self.template_name, self.context(importer))

    def _stash(self, request, data: bytes, filename: str) -> str:
        token = uuid.uuid4().hex
        suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".csv"
        path = default_storage.save(f"{STASH_DIR}/{token}{suffix}", ContentFile(data))
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"path": path, "filename": filename}
        request.session[SESSION_KEY] = pending
        return token

    def _stash_entry(self, request, token: str) -> dict | None:
        entry = request.session.get(SESSION_KEY, {}).get(token)
        if not entry or not default_storage.exists(entry["path"]):
            return None
        return entry

    def _forget(self, request, token: str) -> None:
        """Drop the token from the session (the file stays: a background job may be reading it)."""
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending

    def _unstash(self, request, token: str, *, delete: bool) -> tuple[bytes, str] | None:
        entry = self._stash_entry(request, token)
        if entry is None:
            return None
        with default_storage.open(entry["path"], "rb") as handle:
            data = handle.read()
        if delete:
            default_storage.delete(entry["path"])
            self._forget(request, token)
        return data, entry["filename"]

    def _options(self, request) -> dict:
        return {name: bool(request.POST.get(f"option_{name}")) for name, _label in self.importer_class.options}

    def _mapping(self, request, header_count: int) -> dict | None:
        if request.POST.get("step") != "run":
            return None
        return {str(i): request.POST.get(f"map_{i}", "") for i in range(header_count)}

    def post(self, request, *args, **kwargs):
        options = self._options(request)
        importer = self.get_importer(**options)
        mode = request.POST.get("mode") or ImportMode.DRY_RUN
        if mode not in {m for m, _label in ImportMode.choices}:
            mode = ImportMode.DRY_RUN
        match_key = request.POST.get("match_key", "")
        if match_key:
            try:
                importer.set_match_key(match_key)
            except ValueError:
                match_key = ""
        upload = request.FILES.get("file")
        token = request.POST.get("token", "")
        if upload is not None:
            data, filename = upload.read(), upload.name
            token = ""
        elif token and (stashed := self._unstash(request, token, delete=False)) is not None:
            data, filename = stashed
        else:
            return render(request, self.template_name,
                          self.context(importer, mode=mode, form_error=_("Choose a file to import.")), status=400)

        if upload is not None and request.POST.get("map_columns"):
            return self.mapping_page(request, importer, data, filename, mode=mode, options=options)

        try:
            header = read_table(data, filename, max_rows=0)[:1]
        except ImportFileError:
            header = []
        mapping = self._mapping(request, len(header[0]) if header else 0) if upload is None else None
        if estimate_rows(data, filename) > self.background_threshold():
            from . import background

            if not token:
                token = self._stash(request, data, filename)
            entry = self._stash_entry(request, token)
            self._forget(request, token)
            job = background.start_import(
                user=request.user, importer_class=self.importer_class, stash_path=entry["path"], filename=filename,
                mode=mode, mapping=mapping, match_key=match_key, options=options, ip=context.current().ip,
                total=2 * estimate_rows(data, filename),
            )
            return redirect(job)

        result = run_import(importer, data=data, filename=filename, mode=mode, mapping=mapping)
        if result.dry_run and result.ok:
            token = token or self._stash(request, data, filename)
        else:
            if token:
                self._unstash(request, token, delete=True)
            token = ""
        status = 200 if not result.file_errors else 400
        return render(request, self.template_name, self.context(
            importer, mode=mode, result=result, token=token, filename=filename, match_key=importer.match_field,
            mapping=mapping, errors_shown=result.errors[:MAX_ERRORS_SHOWN],
        ), status=status)

    def background_threshold(self) -> int:
        from . import background

        return background.import_threshold()

    def mapping_page(self, request, importer, data: bytes, filename: str, *, mode: str, options: dict):
        """The mapping step: each header of the file → one of the importer's fields (pre-filled
        from the header aliases), the match key and the mode; posts back with step=run."""
        try:
            table = read_table(data, filename, max_rows=3)
        except ImportFileError as exc:
            return render(request, self.template_name, self.context(importer, mode=mode, form_error=str(exc)),
                          status=400)
        while table and not any(table[0]):
            table.pop(0)
        if not table:
            return render(request, self.template_name, self.context(
                importer, mode=mode, form_error=_("The file has no header row.")), status=400)
        token = self._stash(request, data, filename)
        suggested = importer.suggest_mapping(table[0])
        headers = [
            {"index": i, "text": text, "field": suggested.get(str(i), ""),
             "samples": [r[i] if i < len(r) else "" for r in table[1:3]]}
            for i, text in enumerate(table[0])
        ]
        return render(request, "core/imports/mapping.html", self.context(
            importer, mode=mode, token=token, filename=filename, headers=headers,
            rows_estimate=estimate_rows(data, filename),
        ))


def estimate_rows(data: bytes, filename: str = "") -> int:
    """Data rows of the file without reading it all: the sheet's dimension for an .xlsx, the
    number of line breaks for a .csv (an upper bound; quoted line breaks count too); an old
    .xls or an .ods is read (they are rarely large)."""
    name = (filename or "").lower()
    if data[:4] == OLE2_MAGIC or name.endswith((".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            return max(0, CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).height - 1)
        except Exception:  # noqa: BLE001 — an unreadable file is reported by run_import
            return 0
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True)
            try:
                return max(0, (workbook.worksheets[0].max_row or 1) - 1)
            finally:
                workbook.close()
        except Exception:  # noqa: BLE001 — an unreadable file is reported by run_import
            return 0
    return max(0, data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1)


def rows_summary(rows: Iterable[Row]) -> dict[str, int]:
    summary: dict[str, int] = {}
    for row in rows:
        summary[row.action] = summary.get(row.action, 0) + 1
    return summary
