"""Sub-ledgers (分帐), 帐、物、签相符 and the equipment handover list (设备交接清单).

SCH-08 / AST-24 (篇12 电教管理教师(9)): general ledger and sub-ledgers complete, account, item
and label agree. 帐 = the card is on the books (not disposed or lost); 物 = it was found in the
latest finished stock-take that expected it (counted or reconciled afterwards as "located");
签 = its label was printed with its current number (`record_label_print`).
SCH-10 (篇12 网络教室管理教师(1)(2)): the handover of a sub-ledger between keepers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.numbering import next_number
from zhidu.core.scoping import user_person_id
from zhidu.org.models import OrgUnit

from ..choices import AssetStatus
from ..models import Asset, AssetCategory, Location, StocktakeAdjustment, StocktakeExpected, StocktakeLine
from ..models.stocktake import AdjustmentKind, AdjustmentStatus, CountResult, StocktakeStatus
from ..models.subledger import HandoverLine, HandoverStatus, SubLedger, SubLedgerHandover
from .ledger import CENT, _months_between

__all__ = [
    "LABEL_STATES",
    "COUNT_STATES",
    "cancel_handover",
    "check_handover_line",
    "confirm_handover",
    "delete_subledger",
    "ledger_summary",
    "ledger_totals",
    "mark_unchecked_present",
    "reconciliation_queryset",
    "record_label_print",
    "save_subledger",
    "start_handover",
    "subledger_assets",
    "subledger_q",
]

ARTICLE_ACCOUNTS = "篇12 电教管理教师(9)"
ARTICLE_HANDOVER = "篇12 网络教室管理教师(2)"
#: Cards on the books (帐): disposed and lost devices have left the ledger.
OFF_BOOKS = (AssetStatus.DISPOSED, AssetStatus.LOST)
#: Stock-takes whose counting is over (their found/missing is final).
COUNTED = (StocktakeStatus.RECONCILING, StocktakeStatus.CLOSED)
COUNT_STATES = {"found": gettext_lazy("Found"), "missing": gettext_lazy("Missing"),
                "not_counted": gettext_lazy("Not counted")}
LABEL_STATES = {"ok": gettext_lazy("Label matches"), "not_printed": gettext_lazy("Label not printed"),
                "outdated": gettext_lazy("Label outdated (number changed)")}


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    return TimelineEvent.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                                        actor=_user(actor), verb=verb, message=message, data=data or {})


# --------------------------------------------------------------------------- membership


def _location_children() -> dict:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Location.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    return children


def _expand(ids, children) -> set[int]:
    result, stack = set(), list(ids)
    while stack:
        pk = stack.pop()
        if pk not in result:
            result.add(pk)
            stack.extend(children.get(pk, ()))
    return result


@dataclass
class Criteria:
    """A sub-ledger's definition, expanded: None = no criterion on that dimension."""

    categories: set | None
    locations: set | None
    unit_paths: tuple | None

    def matches(self, category_id, location_id, unit_path) -> bool:
        if self.categories is not None and category_id not in self.categories:
            return False
        if self.locations is not None and location_id not in self.locations:
            return False
        return self.unit_paths is None or bool(unit_path and unit_path.startswith(self.unit_paths))


def _criteria(subledger: SubLedger, children=None) -> Criteria:
    """Reads the prefetched M2M when present (the summary prefetches them)."""
    categories = {c.pk for c in subledger.categories.all()}
    locations = {loc.pk for loc in subledger.locations.all()}
    paths = tuple(u.path for u in subledger.departments.all())
    if locations:
        locations = _expand(locations, children if children is not None else _location_children())
    return Criteria(categories or None, locations or None, paths or None)


def subledger_q(subledger: SubLedger) -> Q:
    """The filter of the sub-ledger's cards (on the books, matching every non-empty criterion)."""
    c = _criteria(subledger)
    q = ~Q(status__in=OFF_BOOKS)
    if c.categories is not None:
        q &= Q(category_id__in=c.categories)
    if c.locations is not None:
        q &= Q(location_id__in=c.locations)
    if c.unit_paths is not None:
        units = Q(pk__in=[])
        for path in c.unit_paths:
            units |= Q(path__startswith=path)
        q &= Q(department__in=OrgUnit.objects.filter(units).values("pk"))
    return q


def subledger_assets(subledger: SubLedger, queryset=None):
    """The cards of the sub-ledger, from `queryset` (default: the whole ledger)."""
    return (Asset.objects.all() if queryset is None else queryset).filter(subledger_q(subledger))


# --------------------------------------------------------------------------- totals


def _net(total: Decimal, category: AssetCategory, start, today: datetime.date) -> Decimal:
    """Depreciated value of a group of prices with one category and start month (the straight-line
    rule of services.ledger.depreciated_value is linear in the price; see selectors._value_by_category)."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    if not category.is_fixed_asset or start is None:
        return total
    months_total = max(1, category.depreciation_years * 12)
    months = min(_months_between(start, today), months_total)
    return total - total * (1 - Decimal(category.residual_rate)) * months / months_total


def _grouped(queryset, *keys):
    return (queryset.annotate(start=TruncMonth(Coalesce("capitalised_on", "purchase_date")))
            .values("category_id", "start", *keys)
            .annotate(n=Count("id"), total=Sum("purchase_price")).order_by())


def _categories() -> dict:
    return {c.pk: c for c in AssetCategory.objects.only("id", "depreciation_years", "residual_rate", "is_fixed_asset")}


def ledger_totals(queryset, *, today: datetime.date | None = None) -> dict:
    """Count, original value and net (depreciated) value of the cards in `queryset` (2 queries)."""
    today = today or timezone.localdate()
    categories = _categories()
    count, price, value = 0, Decimal("0"), Decimal("0")
    for row in _grouped(queryset):
        count += row["n"]
        total = Decimal(row["total"] or 0)
        price += total
        value += _net(total, categories[row["category_id"]], row["start"], today)
    return {"count": count, "price": price.quantize(CENT), "value": value.quantize(CENT)}


def ledger_summary(subledgers, assets, *, today: datetime.date | None = None) -> dict:
    """总帐 vs 分帐: totals of the general ledger (`assets`, on the books), of each sub-ledger and of
    the cards in no sub-ledger. Membership depends only on (category, location, department), so
    the cards are grouped by those in one query; a fixed number of queries whatever the size."""
    today = today or timezone.localdate()
    subledgers = list(subledgers.prefetch_related("categories", "locations", "departments").select_related("keeper"))
    children = _location_children()
    criteria = [(s, _criteria(s, children)) for s in subledgers]
    categories = _categories()
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    empty = {"count": 0, "price": Decimal("0"), "value": Decimal("0")}
    rows = {s.pk: dict(empty) for s in subledgers}
    general, unassigned = dict(empty), dict(empty)
    for row in _grouped(assets.exclude(status__in=OFF_BOOKS), "location_id", "department_id"):
        total = Decimal(row["total"] or 0)
        value = _net(total, categories[row["category_id"]], row["start"], today)
        hit = False
        for target in [general] + [rows[s.pk] for s, c in criteria
                                   if c.matches(row["category_id"], row["location_id"],
                                                paths.get(row["department_id"]))]:
            hit = hit or target is not general
            target["count"] += row["n"]
            target["price"] += total
            target["value"] += value
        if not hit:
            unassigned["count"] += row["n"]
            unassigned["price"] += total
            unassigned["value"] += value
    for totals in [general, unassigned, *rows.values()]:
        totals["price"] = totals["price"].quantize(CENT)
        totals["value"] = Decimal(totals["value"]).quantize(CENT)
    return {"general": general, "unassigned": unassigned,
            "subledgers": [{"subledger": s, **rows[s.pk]} for s in subledgers]}


# --------------------------------------------------------------------------- 帐、物、签相符


def reconciliation_queryset(queryset):
    """`queryset` annotated with `count_state` (found / missing / not_counted, from the latest
    finished stock-take that expected the card) and `label_state` (ok / not_printed / outdated).
    Pure SQL, so lists page, sort and export it like any other list."""
    last_plan = (StocktakeExpected.objects.filter(asset_id=OuterRef("pk"), plan__status__in=COUNTED)
                 .order_by("-plan__counted_at", "-plan_id").values("plan_id")[:1])
    found = StocktakeLine.objects.filter(plan_id=OuterRef("last_plan"), asset_id=OuterRef("pk"),
                                         result__in=(CountResult.FOUND, CountResult.MISPLACED))
    located = StocktakeAdjustment.objects.filter(plan_id=OuterRef("last_plan"), asset_id=OuterRef("pk"),
                                                 kind=AdjustmentKind.LOCATED, status=AdjustmentStatus.APPLIED)
    return (queryset.annotate(last_plan=Subquery(last_plan))
            .annotate(was_found=Exists(found), was_located=Exists(located))
            .annotate(
                count_state=Case(When(last_plan__isnull=True, then=Value("not_counted")),
                                 When(was_found=True, then=Value("found")),
                                 When(was_located=True, then=Value("found")),
                                 default=Value("missing"), output_field=CharField()),
                label_state=Case(When(label_printed_at__isnull=True, then=Value("not_printed")),
                                 When(label_number=F("number"), then=Value("ok")),
                                 default=Value("outdated"), output_field=CharField()),
            ))


MISMATCH = ~Q(count_state="found") | ~Q(label_state="ok")


@transaction.atomic
def record_label_print(*, assets, actor, sheet: str = "", now=None) -> int:
    """签: the labels of `assets` were printed now, each with the card's current number. One
    update for all; each card's change log gets a print event (who printed which sheet)."""
    from zhidu.core.changelog import record_event

    ids = [a.pk for a in assets]
    count = Asset.objects.filter(pk__in=ids).update(label_printed_at=now or timezone.now(), label_number=F("number"))
    for asset in assets:
        record_event(asset, data={"event": "print", "document": "label", "sheet": sheet, "number": asset.number})
    return count


# --------------------------------------------------------------------------- sub-ledgers


@transaction.atomic
def save_subledger(*, actor, subledger: SubLedger | None = None, code: str, name: str, department, keeper=None,
                   categories=(), locations=(), departments=(), notes: str = "", is_active: bool = True) -> SubLedger:
    """Create or edit a sub-ledger. At least one criterion: without one it would repeat the 总帐."""
    if not (categories or locations or departments):
        raise RuleViolation(_("Choose at least one category, location or department: a sub-ledger is a part "
                              "of the general ledger."), code="invalid", article=ARTICLE_ACCOUNTS)
    if not (name or "").strip() or not (code or "").strip():
        raise RuleViolation(_("The code and the name are required."), code="invalid")
    if subledger is not None and subledger.keeper_id and keeper is not None and keeper.pk != subledger.keeper_id:
        # SCH-10: the keeper changes through the handover list, signed by both; clearing the keeper
        # (e.g. they left the school) stays possible, then a new one is set
        raise RuleViolation(_("The keeper changes through an equipment handover list (篇12 网络教室管理教师(2))."),
                            code="invalid", article=ARTICLE_HANDOVER)
    creating = subledger is None
    subledger = subledger or SubLedger()
    if SubLedger.objects.filter(code=code.strip()).exclude(pk=subledger.pk).exists():
        raise RuleViolation(_("The code %(code)s is already used.") % {"code": code}, code="invalid")
    subledger.code, subledger.name = code.strip(), name.strip()
    subledger.department, subledger.keeper = department, keeper
    subledger.notes, subledger.is_active = (notes or "").strip(), is_active
    subledger.save()
    subledger.categories.set(categories)
    subledger.locations.set(locations)
    subledger.departments.set(departments)
    if creating:
        _event(subledger, verb="created", actor=actor)
    return subledger


@transaction.atomic
def delete_subledger(*, subledger: SubLedger, actor) -> None:
    if subledger.handovers.exists():
        raise Conflict(_("This sub-ledger has handover lists; deactivate it instead of deleting it."))
    subledger.delete()


# --------------------------------------------------------------------------- handover (SCH-10)


def _lock_handover(handover: SubLedgerHandover) -> SubLedgerHandover:
    return SubLedgerHandover.objects.select_for_update().get(pk=handover.pk)


def _require_open(handover: SubLedgerHandover, *, unconfirmed: bool = False) -> None:
    if handover.status != HandoverStatus.OPEN:
        raise Conflict(_("The handover %(number)s is %(status)s.") % {
            "number": handover.number, "status": handover.get_status_display()}, code="invalid_transition")
    if unconfirmed and (handover.outgoing_confirmed_at or handover.incoming_confirmed_at):
        raise Conflict(_("The handover list has been confirmed already; it can no longer be changed."),
                       code="invalid_transition")


@transaction.atomic
def start_handover(*, subledger: SubLedger, to_keeper, actor, notes: str = "") -> SubLedgerHandover:
    """Draw up the handover list (设备交接清单): every card of the sub-ledger, to be checked."""
    subledger = SubLedger.objects.select_for_update().get(pk=subledger.pk)
    if subledger.keeper_id is None:
        raise RuleViolation(_("The sub-ledger has no keeper yet: set the keeper on the sub-ledger instead."),
                            code="invalid", article=ARTICLE_HANDOVER)
    if to_keeper is None or to_keeper.pk == subledger.keeper_id:
        raise RuleViolation(_("Choose an incoming keeper other than the current one."), code="invalid")
    if subledger.handovers.filter(status=HandoverStatus.OPEN).exists():
        raise Conflict(_("This sub-ledger already has a handover in progress."))
    handover = SubLedgerHandover.objects.create(
        number=next_number("JJ", year=timezone.localdate().year), subledger=subledger,
        from_keeper_id=subledger.keeper_id, to_keeper=to_keeper, notes=(notes or "").strip(),
        created_by=_user(actor))
    HandoverLine.objects.bulk_create(
        [HandoverLine(handover=handover, asset_id=pk, asset_number=number, asset_name=name)
         for pk, number, name in subledger_assets(subledger).order_by("number").values_list("pk", "number", "name")],
        batch_size=1000)
    count = handover.lines.count()
    _event(handover, verb="created", actor=actor, message=_("%(count)d items listed.") % {"count": count})
    _event(subledger, verb="handover_started", actor=actor, data={"handover": handover.number})
    return handover


@transaction.atomic
def check_handover_line(*, line: HandoverLine, actor, present: bool, condition: str = "") -> HandoverLine:
    """Check one item: present or absent, with its condition (e.g. "屏幕划痕")."""
    _require_open(_lock_handover(line.handover), unconfirmed=True)
    if present is None:
        raise RuleViolation(_("Say whether the item is present."), code="invalid")
    line.present, line.condition = bool(present), (condition or "").strip()[:255]
    line.save()
    return line


@transaction.atomic
def mark_unchecked_present(*, handover: SubLedgerHandover, actor) -> int:
    """Every item not checked yet is present (the usual case; then fix the exceptions)."""
    handover = _lock_handover(handover)
    _require_open(handover, unconfirmed=True)
    count = 0
    for line in handover.lines.filter(present__isnull=True):
        line.present = True
        line.save()
        count += 1
    return count


@transaction.atomic
def confirm_handover(*, handover: SubLedgerHandover, actor, now=None) -> SubLedgerHandover:
    """The outgoing or incoming keeper signs the list (personal: nobody signs for them). The second
    confirmation completes the handover and makes the incoming person the keeper."""
    handover = _lock_handover(handover)
    _require_open(handover)
    person_id = user_person_id(actor)
    if person_id not in (handover.from_keeper_id, handover.to_keeper_id):
        raise PermissionDenied(_("Only the outgoing and the incoming keeper confirm the handover."))
    unchecked = handover.lines.filter(present__isnull=True).count()
    if unchecked:
        raise RuleViolation(_("%(count)d items are not checked yet.") % {"count": unchecked}, code="invalid",
                            article=ARTICLE_HANDOVER)
    now = now or timezone.now()
    field = "outgoing_confirmed_at" if person_id == handover.from_keeper_id else "incoming_confirmed_at"
    if getattr(handover, field):
        raise Conflict(_("You have confirmed this handover already."), code="invalid_transition")
    setattr(handover, field, now)
    _event(handover, verb="handover_confirmed", actor=actor, data={"side": field.split("_")[0]})
    if handover.outgoing_confirmed_at and handover.incoming_confirmed_at:
        handover.status, handover.completed_at = HandoverStatus.COMPLETED, now
        subledger = SubLedger.objects.select_for_update().get(pk=handover.subledger_id)
        subledger.keeper_id = handover.to_keeper_id
        subledger.save()
        absent = handover.lines.filter(present=False).count()
        _event(handover, verb="handover_completed", actor=actor, data={"absent": absent})
        _event(subledger, verb="keeper_changed", actor=actor, data={"handover": handover.number, "absent": absent})
    handover.save()
    return handover


@transaction.atomic
def cancel_handover(*, handover: SubLedgerHandover, actor) -> SubLedgerHandover:
    handover = _lock_handover(handover)
    _require_open(handover)
    handover.status = HandoverStatus.CANCELLED
    handover.save()
    _event(handover, verb="handover_cancelled", actor=actor)
    return handover
