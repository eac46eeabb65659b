"""Stock-takes (清查/盘点) and patrol inspections (巡检): every state-changing operation.

AST-16 (账物一致, 篇6 第三条(8)): the ledger must match the goods; differences are reconciled
through reviewed adjustments. AST-17 (篇6 第三条(22)): periodic stock-take, always after a
reallocation, with seals (封记). SCH-06 (篇12 电教管理教师(7)(10)): semester-end full count.
AUD-01 (篇1 第十条(8)): periodic equipment patrol with findings.

Lifecycle of a plan: draft → counting (expected assets snapshotted) → reconciling (differences
get proposed adjustments, reviewed by the IT authority head through the approval process
"assets.stocktake_adjustment", applied on approval) → closed (every difference handled).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.numbering import next_number

from ..choices import AssetStatus
from ..models import (
    Asset,
    InspectionFinding,
    InspectionRound,
    Location,
    StocktakeAdjustment,
    StocktakeExpected,
    StocktakeLine,
    StocktakePlan,
)
from ..models.stocktake import (
    ADJUSTMENT_KINDS_FOR,
    AdjustmentKind,
    AdjustmentStatus,
    CountResult,
    Difference,
    FindingResult,
    InspectionStatus,
    StocktakeStatus,
)

__all__ = [
    "ADJUSTMENT_PROCESS",
    "StocktakeResults",
    "apply_adjustment",
    "close_plan",
    "complete_inspection",
    "create_inspection",
    "create_plan",
    "delete_plan",
    "finish_counting",
    "inspection_overdue_locations",
    "location_subtree_ids",
    "parse_scan_payload",
    "periodic_stocktake_due",
    "plan_results",
    "propose_adjustments",
    "record_finding",
    "record_scan",
    "stocktake_due",
    "start_counting",
    "submit_adjustments",
    "update_adjustment",
    "update_plan",
]

ADJUSTMENT_PROCESS = "assets.stocktake_adjustment"
ARTICLE_ACCOUNTS = "篇6 第三条(8)"
ARTICLE_STOCKTAKE = "篇6 第三条(22)"
ARTICLE_PATROL = "篇1 第十条(8)"
S = StocktakeStatus


# --------------------------------------------------------------------------- helpers


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def add_plan_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    """A timeline event on a plan, an inspection round or an asset."""
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), actor=_user(actor),
        verb=verb, message=message, data=data or {},
    )


def _lock(plan: StocktakePlan) -> StocktakePlan:
    return StocktakePlan.objects.select_for_update().get(pk=plan.pk)


def _require(plan: StocktakePlan, *statuses: str, doing: str) -> None:
    if plan.status not in statuses:
        raise Conflict(
            _("%(number)s is %(status)s: it is not possible to %(doing)s now.")
            % {"number": plan.number, "status": plan.get_status_display(), "doing": doing},
            code="invalid_transition",
        )


def location_subtree_ids(location: Location | None) -> list[int] | None:
    """Ids of `location` and every place under it (None: no location criterion)."""
    if location is None:
        return None
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Location.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [location.pk]
    while stack:
        pk = stack.pop()
        if pk in result:
            continue
        result.append(pk)
        stack.extend(children.get(pk, ()))
    return result


def _in_scope_assets(plan: StocktakePlan):
    """The assets the ledger places in the plan's scope today (not disposed)."""
    queryset = Asset.objects.exclude(status=AssetStatus.DISPOSED)
    location_ids = location_subtree_ids(plan.location)
    if location_ids is not None:
        queryset = queryset.filter(location_id__in=location_ids)
    if plan.department_id:
        queryset = queryset.filter(department__path__startswith=plan.department.path)
    if plan.category_id:
        queryset = queryset.filter(category_id=plan.category_id)
    return queryset


# --------------------------------------------------------------------------- label payload

_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-./]{0,39}$")


def parse_scan_payload(text: str) -> str:
    """The asset number a scanned QR label (or typed text) names.

    Uses the ledger's `parse_label_payload` when it exists; otherwise accepts the bare number
    or a URL whose last path segment (or `?number=` / `?n=`) is the number or the asset id.
    RuleViolation when nothing usable is in the text.
    """
    raw = (text or "").strip()
    if not raw:
        raise RuleViolation(_("Scan a label or type an asset number."), code="invalid")
    try:
        from ..labels import parse_label_payload as parser
    except ImportError:  # pragma: no cover - the ledger's label module is optional here
        parser = None
    if parser is not None:
        number = parser(raw)
        if not number:
            raise RuleViolation(_("“%(text)s” is neither an asset label nor an asset number.") % {"text": raw[:80]},
                                code="invalid")
        return str(number).strip()[:40]
    if "://" in raw or raw.startswith("/"):
        parsed = urlparse(raw)
        from urllib.parse import parse_qs

        query = parse_qs(parsed.query)
        for key in ("number", "n", "asset"):
            if query.get(key):
                return query[key][0].strip()[:40]
        segments = [unquote(s) for s in parsed.path.split("/") if s]
        if segments:
            last = segments[-1]
            if last.isdigit():
                number = Asset.objects.filter(pk=int(last)).values_list("number", flat=True).first()
                if number:
                    return number
            return last[:40]
        raise RuleViolation(_("The scanned code does not name an asset."), code="invalid")
    first = raw.splitlines()[0].strip()
    if not _NUMBER_RE.match(first):
        raise RuleViolation(_("“%(text)s” is not an asset number.") % {"text": first[:60]}, code="invalid")
    return first


# --------------------------------------------------------------------------- plans


def _plan_fields(plan, *, title, kind, location, department, category, planned_on, leader, notes):
    title = (title or "").strip()
    if not title:
        raise RuleViolation(_("The title is required."), code="invalid")
    plan.title = title[:200]
    plan.kind = kind or plan.kind
    plan.location = location
    plan.department = department
    plan.category = category
    plan.planned_on = planned_on
    plan.leader = leader
    plan.notes = (notes or "").strip()


@transaction.atomic
def create_plan(*, actor, title: str, kind: str = "periodic", location=None, department=None, category=None,
                planned_on: datetime.date | None = None, leader=None, notes: str = "") -> StocktakePlan:
    """Plan a stock-take (AST-17); number PD-YYYY-NNNNNN."""
    plan = StocktakePlan(created_by=_user(actor))
    _plan_fields(plan, title=title, kind=kind, location=location, department=department, category=category,
                 planned_on=planned_on, leader=leader, notes=notes)
    plan.number = next_number("PD", year=timezone.localdate().year)
    plan.save()
    add_plan_event(plan, verb="created", actor=actor)
    return plan


@transaction.atomic
def update_plan(*, plan: StocktakePlan, actor, title: str, kind: str, location=None, department=None, category=None,
                planned_on=None, leader=None, notes: str = "") -> StocktakePlan:
    plan = _lock(plan)
    _require(plan, S.DRAFT, doing=_("edit the plan"))
    _plan_fields(plan, title=title, kind=kind, location=location, department=department, category=category,
                 planned_on=planned_on, leader=leader, notes=notes)
    plan.save()
    return plan


@transaction.atomic
def delete_plan(*, plan: StocktakePlan, actor) -> None:
    plan = _lock(plan)
    _require(plan, S.DRAFT, doing=_("delete the plan"))
    plan.delete()


@transaction.atomic
def start_counting(*, plan: StocktakePlan, actor, now=None) -> StocktakePlan:
    """Start counting: snapshot the assets the ledger places in the plan's scope (not disposed)."""
    plan = _lock(plan)
    _require(plan, S.DRAFT, doing=_("start counting"))
    rows = [
        StocktakeExpected(plan=plan, asset_id=pk, location_id=loc, department_id=dept, custodian_id=cust)
        for pk, loc, dept, cust in _in_scope_assets(plan).order_by("pk").values_list(
            "pk", "location_id", "department_id", "custodian_id").iterator(chunk_size=2000)
    ]
    StocktakeExpected.objects.bulk_create(rows, batch_size=1000)
    plan.status = S.COUNTING
    plan.started_at = now or timezone.now()
    plan.expected_count = len(rows)
    plan.save()
    add_plan_event(plan, verb="counting_started", actor=actor,
                   message=_("%(count)d assets expected.") % {"count": len(rows)}, data={"expected": len(rows)})
    return plan


@transaction.atomic
def record_scan(*, plan: StocktakePlan, payload: str, actor, location: Location | None = None,
                seal_number: str = "", configuration_complete: bool | None = None, note: str = "",
                now=None) -> tuple[StocktakeLine, bool]:
    """Record one scanned label or typed number; returns (line, created).

    found: an expected asset (at its expected place, or no place given); misplaced: a known
    asset that is not expected here, or expected elsewhere in the plan than where it was found
    (the place is recorded); unknown: not in the ledger. Scanning the same asset again changes
    nothing (idempotent) except adding a seal number or note given this time.
    """
    plan = StocktakePlan.objects.select_for_update().get(pk=plan.pk)
    _require(plan, S.COUNTING, doing=_("record counts"))
    number = parse_scan_payload(payload)
    asset = Asset.objects.filter(number=number).first()
    key = asset.number if asset is not None else number
    seal_number = (seal_number or "").strip()[:60]
    note = (note or "").strip()[:255]
    existing = StocktakeLine.objects.filter(plan=plan, asset_number=key).first()
    if existing is not None:
        changed = []
        if seal_number and existing.seal_number != seal_number:
            existing.seal_number = seal_number
            changed.append("seal_number")
        if note and existing.note != note:
            existing.note = note
            changed.append("note")
        if configuration_complete is not None and existing.configuration_complete != configuration_complete:
            existing.configuration_complete = configuration_complete
            changed.append("configuration_complete")
        if changed:
            existing.save(update_fields=[*changed, "updated"])
        return existing, False
    expected = None
    if asset is not None:
        expected = StocktakeExpected.objects.filter(plan=plan, asset=asset).first()
    if asset is None:
        result = CountResult.UNKNOWN
    elif expected is None or location is not None and expected.location_id and location.pk != expected.location_id:
        result = CountResult.MISPLACED
    else:
        result = CountResult.FOUND
    line = StocktakeLine(
        plan=plan, asset=asset, asset_number=key, payload=(payload or "").strip()[:500], result=result,
        expected_location_id=expected.location_id if expected else (asset.location_id if asset else None),
        found_location=location if location is not None else (plan.location if result != CountResult.FOUND else None),
        seal_number=seal_number, configuration_complete=configuration_complete, note=note,
        counted_by=_user(actor), counted_at=now or timezone.now(),
    )
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:  # the same label scanned twice at once
        return StocktakeLine.objects.get(plan=plan, asset_number=key), False
    return line, True


@transaction.atomic
def finish_counting(*, plan: StocktakePlan, actor, now=None) -> StocktakePlan:
    """End counting: what was expected and not counted is missing; differences get proposals."""
    plan = _lock(plan)
    _require(plan, S.COUNTING, doing=_("finish counting"))
    plan.status = S.RECONCILING
    plan.counted_at = now or timezone.now()
    plan.save()
    results = plan_results(plan)
    add_plan_event(plan, verb="counting_finished", actor=actor, data=results.counts())
    propose_adjustments(plan=plan, actor=actor)
    return plan


# --------------------------------------------------------------------------- results


@dataclass
class StocktakeResults:
    """found / missing / misplaced / unknown of a plan (lists of lines or expected rows)."""

    expected: int = 0
    found: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    misplaced: list = field(default_factory=list)
    unknown: list = field(default_factory=list)

    def counts(self) -> dict:
        return {"expected": self.expected, "found": len(self.found), "missing": len(self.missing),
                "misplaced": len(self.misplaced), "unknown": len(self.unknown)}

    @property
    def differences(self) -> int:
        return len(self.missing) + len(self.misplaced) + len(self.unknown)


def plan_results(plan: StocktakePlan) -> StocktakeResults:
    """The classification of a plan's count (3 queries whatever the size)."""
    lines = list(StocktakeLine.objects.filter(plan=plan)
                 .select_related("asset", "expected_location", "found_location", "counted_by__person")
                 .order_by("asset_number"))
    results = StocktakeResults(expected=plan.expected_count)
    counted_asset_ids = set()
    for line in lines:
        if line.asset_id:
            counted_asset_ids.add(line.asset_id)
        {CountResult.FOUND: results.found, CountResult.MISPLACED: results.misplaced,
         CountResult.UNKNOWN: results.unknown}[line.result].append(line)
    if plan.status != S.DRAFT:
        expected = (StocktakeExpected.objects.filter(plan=plan)
                    .select_related("asset", "location", "department", "custodian").order_by("asset__number"))
        results.missing = [row for row in expected if row.asset_id not in counted_asset_ids]
    return results


# --------------------------------------------------------------------------- adjustments


def _active_adjustments(plan):
    return StocktakeAdjustment.objects.filter(plan=plan).exclude(status=AdjustmentStatus.REJECTED)


@transaction.atomic
def propose_adjustments(*, plan: StocktakePlan, actor) -> list[StocktakeAdjustment]:
    """One proposed adjustment for every difference that has none (or only rejected ones).

    Defaults: missing → mark lost; misplaced → update location/department to where it was
    found; unknown → register a new card (the reviewer may change each proposal).
    """
    plan = _lock(plan)
    _require(plan, S.RECONCILING, doing=_("propose adjustments"))
    covered = set(_active_adjustments(plan).values_list("difference", "asset_number"))
    results = plan_results(plan)
    created = []
    for row in results.missing:
        if (Difference.MISSING, row.asset.number) not in covered:
            created.append(StocktakeAdjustment(plan=plan, difference=Difference.MISSING, asset=row.asset,
                                               asset_number=row.asset.number, kind=AdjustmentKind.MARK_LOST,
                                               proposed_by=_user(actor)))
    for line in results.misplaced:
        if (Difference.MISPLACED, line.asset_number) not in covered:
            department = None
            if plan.department_id and line.asset is not None and not line.asset.department.path.startswith(
                    plan.department.path):
                department = plan.department
            created.append(StocktakeAdjustment(plan=plan, difference=Difference.MISPLACED, asset=line.asset,
                                               line=line, asset_number=line.asset_number,
                                               kind=AdjustmentKind.UPDATE_LOCATION,
                                               to_location=line.found_location, to_department=department,
                                               proposed_by=_user(actor)))
    for line in results.unknown:
        if (Difference.UNKNOWN, line.asset_number) not in covered:
            created.append(StocktakeAdjustment(plan=plan, difference=Difference.UNKNOWN, line=line,
                                               asset_number=line.asset_number, kind=AdjustmentKind.REGISTER,
                                               to_location=line.found_location, category=plan.category,
                                               to_department=plan.department, proposed_by=_user(actor)))
    for adjustment in created:
        adjustment.save()
    return created


@transaction.atomic
def update_adjustment(*, adjustment: StocktakeAdjustment, actor, kind: str, note: str = "", to_location=None,
                      to_department=None, category=None, name: str = "") -> StocktakeAdjustment:
    """Change a proposed adjustment before it is submitted for review."""
    adjustment = (StocktakeAdjustment.objects.select_for_update(of=("self",)).select_related("plan")
                  .get(pk=adjustment.pk))
    if adjustment.status != AdjustmentStatus.PROPOSED:
        raise Conflict(_("Only a proposed adjustment can be changed; this one is %(status)s.")
                       % {"status": adjustment.get_status_display()}, code="invalid_transition")
    if kind not in ADJUSTMENT_KINDS_FOR[adjustment.difference]:
        raise RuleViolation(_("“%(kind)s” does not fit a %(difference)s item.") % {
            "kind": AdjustmentKind(kind).label if kind in AdjustmentKind.values else kind,
            "difference": adjustment.get_difference_display()}, code="invalid")
    adjustment.kind = kind
    adjustment.note = (note or "").strip()
    adjustment.to_location = to_location
    adjustment.to_department = to_department
    adjustment.category = category
    adjustment.name = (name or "").strip()[:200]
    _check_adjustment(adjustment)
    adjustment.save()
    return adjustment


def _check_adjustment(adjustment: StocktakeAdjustment) -> None:
    if adjustment.kind == AdjustmentKind.UPDATE_LOCATION and not (adjustment.to_location_id
                                                                  or adjustment.to_department_id):
        raise RuleViolation(_("%(number)s: give the new location or department.")
                            % {"number": adjustment.asset_number}, code="invalid")
    if adjustment.kind == AdjustmentKind.REGISTER and not (adjustment.category_id and adjustment.name
                                                           and adjustment.to_department_id):
        raise RuleViolation(_("%(number)s: a new card needs a name, a category and a department.")
                            % {"number": adjustment.asset_number}, code="invalid")
    if adjustment.kind in (AdjustmentKind.NOTE, AdjustmentKind.LOCATED) and not adjustment.note:
        raise RuleViolation(_("%(number)s: explain the difference in the note.")
                            % {"number": adjustment.asset_number}, code="invalid")


def _requester(actor, plan):
    from zhidu.org.models import Person

    person = Person.objects.filter(user=_user(actor)).first() if _user(actor) else None
    return person or plan.leader


def _ensure_policy(actor) -> None:
    """The review needs a policy: apply the default one (IT authority head) on first use."""
    from zhidu.core.models import ApprovalPolicy

    if not ApprovalPolicy.objects.filter(process_key=ADJUSTMENT_PROCESS, is_active=True).exists():
        from zhidu.core.approvals import services as approvals

        approvals.apply_preset(ADJUSTMENT_PROCESS, "default", _user(actor),
                               note=_("Default review by the IT authority head (AST-16), applied on first use."))


@transaction.atomic
def submit_adjustments(*, plan: StocktakePlan, actor):
    """Send the proposed adjustments for review by the IT authority head (AST-16)."""
    from zhidu.core.approvals import services as approvals

    plan = _lock(plan)
    _require(plan, S.RECONCILING, doing=_("submit adjustments"))
    proposed = list(StocktakeAdjustment.objects.filter(plan=plan, status=AdjustmentStatus.PROPOSED))
    if not proposed:
        raise RuleViolation(_("There is no proposed adjustment to submit."), code="nothing_to_submit")
    for adjustment in proposed:
        _check_adjustment(adjustment)
    requester = _requester(actor, plan)
    if requester is None:
        raise RuleViolation(_("Your account is not linked to a person, so it cannot submit for review."),
                            code="no_person")
    for adjustment in proposed:
        adjustment.status = AdjustmentStatus.IN_REVIEW
        adjustment.save(update_fields=["status", "updated"])
    _ensure_policy(actor)
    return approvals.submit(subject=plan, process_key=ADJUSTMENT_PROCESS, requester=requester, actor=actor)


def _set_in_review(plan, status):
    for adjustment in StocktakeAdjustment.objects.filter(plan=plan, status=AdjustmentStatus.IN_REVIEW):
        adjustment.status = status
        adjustment.save(update_fields=["status", "updated"])


def on_approved(subject: StocktakePlan, approval) -> None:
    """Approved: apply every adjustment under review to the ledger."""
    plan = _lock(subject)
    actor = getattr(approval, "submitted_by", None)
    for adjustment in StocktakeAdjustment.objects.filter(plan=plan, status=AdjustmentStatus.IN_REVIEW):
        apply_adjustment(adjustment=adjustment, actor=actor)
    add_plan_event(plan, verb="adjustments_applied", actor=None)


def on_rejected(subject: StocktakePlan, approval) -> None:
    _set_in_review(subject, AdjustmentStatus.REJECTED)


def on_returned(subject: StocktakePlan, approval) -> None:
    _set_in_review(subject, AdjustmentStatus.PROPOSED)


def on_withdrawn(subject: StocktakePlan, approval) -> None:
    _set_in_review(subject, AdjustmentStatus.PROPOSED)


def apply_adjustment(*, adjustment: StocktakeAdjustment, actor, now=None) -> StocktakeAdjustment:
    """Change the ledger as the approved adjustment says (change log + a timeline event on the asset)."""
    from . import ledger

    with transaction.atomic():
        adjustment = StocktakeAdjustment.objects.select_for_update(of=("self",)).select_related("plan", "line").get(
            pk=adjustment.pk)
        if adjustment.status == AdjustmentStatus.APPLIED:
            return adjustment
        plan = adjustment.plan
        message = _("Stock-take %(number)s: %(kind)s") % {"number": plan.number,
                                                           "kind": adjustment.get_kind_display()}
        if adjustment.note:
            message = f"{message} — {adjustment.note}"
        kind = adjustment.kind
        if kind == AdjustmentKind.MARK_LOST and adjustment.asset_id:
            asset = Asset.objects.select_for_update().get(pk=adjustment.asset_id)
            if asset.status not in (AssetStatus.DISPOSED, AssetStatus.LOST):
                asset.status = AssetStatus.LOST
                asset.save(update_fields=["status", "updated"])
            add_plan_event(asset, verb="stocktake_lost", actor=actor, message=message, data={"plan": plan.pk})
        elif kind == AdjustmentKind.UPDATE_LOCATION and adjustment.asset_id:
            asset = Asset.objects.select_for_update().get(pk=adjustment.asset_id)
            changed = []
            if adjustment.to_location_id and asset.location_id != adjustment.to_location_id:
                asset.location_id = adjustment.to_location_id
                changed.append("location")
            if adjustment.to_department_id and asset.department_id != adjustment.to_department_id:
                asset.department_id = adjustment.to_department_id
                changed.append("department")
            if changed:
                asset.save(update_fields=[*changed, "updated"])
            add_plan_event(asset, verb="stocktake_adjusted", actor=actor, message=message, data={"plan": plan.pk})
        elif kind == AdjustmentKind.REGISTER:
            location = adjustment.to_location or (adjustment.line.found_location if adjustment.line else None)
            try:
                asset = ledger.create_asset(
                    actor=actor, name=adjustment.name, category=adjustment.category,
                    department=adjustment.to_department, number=adjustment.asset_number, location=location,
                    notes=_("Registered from stock-take %(number)s") % {"number": plan.number},
                    capitalise_now=False,
                )
            except ValidationError as exc:
                raise RuleViolation(
                    _("%(number)s cannot be registered: %(reason)s") % {
                        "number": adjustment.asset_number, "reason": " ".join(exc.messages)},
                    code="invalid") from exc
            adjustment.created_asset = asset
            if adjustment.line_id:
                StocktakeLine.objects.filter(pk=adjustment.line_id).update(asset=asset)
        elif adjustment.asset_id:  # located / note: no ledger change, but the asset's timeline shows it
            add_plan_event(Asset(pk=adjustment.asset_id), verb="stocktake_noted", actor=actor, message=message,
                           data={"plan": plan.pk})
        adjustment.status = AdjustmentStatus.APPLIED
        adjustment.applied_at = now or timezone.now()
        adjustment.save()
    return adjustment


@transaction.atomic
def close_plan(*, plan: StocktakePlan, actor, now=None) -> StocktakePlan:
    """Close the stock-take when every difference has an applied adjustment (账物一致, AST-16)."""
    plan = _lock(plan)
    _require(plan, S.RECONCILING, doing=_("close the stock-take"))
    results = plan_results(plan)
    applied = set(StocktakeAdjustment.objects.filter(plan=plan, status=AdjustmentStatus.APPLIED)
                  .values_list("difference", "asset_number"))
    open_items = [row.asset.number for row in results.missing if (Difference.MISSING, row.asset.number) not in applied]
    open_items += [line.asset_number for line in results.misplaced
                   if (Difference.MISPLACED, line.asset_number) not in applied]
    open_items += [line.asset_number for line in results.unknown
                   if (Difference.UNKNOWN, line.asset_number) not in applied]
    if open_items:
        raise RuleViolation(
            _("The ledger must match the goods before the stock-take is closed (账物一致, %(article)s): "
              "%(count)d difference(s) still have no applied adjustment: %(items)s.")
            % {"article": ARTICLE_ACCOUNTS, "count": len(open_items), "items": ", ".join(open_items[:10])},
            code="differences_open", article=ARTICLE_ACCOUNTS,
        )
    plan.status = S.CLOSED
    plan.closed_at = now or timezone.now()
    plan.save()
    add_plan_event(plan, verb="closed", actor=actor, data=results.counts())
    return plan


# --------------------------------------------------------------------------- AST-17: due after reallocation


def _covers_unit(plan, unit_path: str) -> bool:
    return plan.department_id is None or unit_path.startswith(plan.department.path)


def stocktake_due(*, limit: int = 50) -> dict:
    """Departments and locations with reallocations (调剂) since their last closed stock-take (AST-17).

    A closed plan covers a department when its department criterion is the department or an
    ancestor (or it has none, without location/category limits); it covers a location when its
    location criterion is the location or an ancestor (or it has none). Returns
    {"departments": [{unit, count, last}], "locations": [{location, count, last}]}.
    """
    from zhidu.org.models import OrgUnit

    from ..models import Reallocation

    closed = list(StocktakePlan.objects.filter(status=S.CLOSED).select_related("department")
                  .only("pk", "closed_at", "department__path", "location_id", "category_id"))
    moves = list(Reallocation.objects.order_by().values_list("from_department_id", "to_department_id",
                                                              "asset__location_id", "created"))
    if not moves:
        return {"departments": [], "locations": []}
    unit_ids = {m[0] for m in moves} | {m[1] for m in moves}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids)}
    loc_ids = {m[2] for m in moves if m[2]}
    parents = dict(Location.objects.values_list("pk", "parent_id")) if loc_ids else {}
    locations = {loc.pk: loc for loc in Location.objects.filter(pk__in=loc_ids)}

    def loc_ancestors(pk):
        seen = []
        while pk and pk not in seen:
            seen.append(pk)
            pk = parents.get(pk)
        return seen

    def last_for_unit(unit):
        times = [p.closed_at for p in closed if not p.category_id and not p.location_id and _covers_unit(p, unit.path)]
        return max(times) if times else None

    def last_for_location(pk):
        ancestors = loc_ancestors(pk)
        times = [p.closed_at for p in closed if not p.category_id and not p.department_id
                 and (p.location_id is None or p.location_id in ancestors)]
        return max(times) if times else None

    dept_rows: dict[int, dict] = {}
    for from_id, to_id, _loc, when in moves:
        for unit_id in (from_id, to_id):
            unit = units.get(unit_id)
            if unit is None:
                continue
            row = dept_rows.setdefault(unit_id, {"unit": unit, "count": 0, "last": last_for_unit(unit)})
            if row["last"] is None or when > row["last"]:
                row["count"] += 1
    loc_rows: dict[int, dict] = {}
    for _f, _t, loc_id, when in moves:
        if not loc_id or loc_id not in locations:
            continue
        row = loc_rows.setdefault(loc_id, {"location": locations[loc_id], "count": 0,
                                           "last": last_for_location(loc_id)})
        if row["last"] is None or when > row["last"]:
            row["count"] += 1
    departments = sorted((r for r in dept_rows.values() if r["count"]), key=lambda r: r["unit"].tree_key)
    places = sorted((r for r in loc_rows.values() if r["count"]), key=lambda r: r["location"].code)
    return {"departments": departments[:limit], "locations": places[:limit]}


def periodic_stocktake_due(*, today: datetime.date | None = None) -> dict:
    """The organisation's full stock-take against the period "assets.stocktake_period_days" (定期清查,
    篇6 第三条(22)): {"last" (date of the last closed full count or None), "due" (date or None),
    "overdue" (bool), "period" (days)}."""
    from zhidu.core import params

    today = today or timezone.localdate()
    period = int(params.get("assets.stocktake_period_days"))
    last = (StocktakePlan.objects.filter(status=S.CLOSED, location__isnull=True, department__isnull=True,
                                         category__isnull=True).aggregate(last=Max("closed_at"))["last"])
    last_on = timezone.localtime(last).date() if last else None
    due = last_on + datetime.timedelta(days=period) if last_on else None
    return {"last": last_on, "due": due, "overdue": due is None or due < today, "period": period}


# --------------------------------------------------------------------------- inspections (AUD-01)


@transaction.atomic
def create_inspection(*, actor, location: Location, inspected_on: datetime.date, inspector=None,
                      department=None, summary: str = "") -> InspectionRound:
    """Open a patrol inspection round of a location (AUD-01, 篇1 第十条(8)); number XJ-YYYY-NNNNNN."""
    if location is None:
        raise RuleViolation(_("Choose the location inspected."), code="invalid")
    department = department or location.unit
    round_ = InspectionRound(location=location, inspected_on=inspected_on, inspector=inspector,
                             department=department, summary=(summary or "").strip())
    round_.number = next_number("XJ", year=inspected_on.year)
    round_.save()
    add_plan_event(round_, verb="created", actor=actor)
    return round_


@transaction.atomic
def record_finding(*, round: InspectionRound, actor, asset=None, result: str = FindingResult.OK,  # noqa: A002
                   description: str = "", follow_up: str = "") -> InspectionFinding:
    """One finding (ok / issue with its description) on an asset or on the place."""
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    if round_.status != InspectionStatus.OPEN:
        raise Conflict(_("%(number)s is completed; findings can no longer be added.") % {"number": round_.number},
                       code="invalid_transition")
    if result not in FindingResult.values:
        raise RuleViolation(_("Unknown result."), code="invalid")
    description = (description or "").strip()
    if result == FindingResult.ISSUE and not description:
        raise RuleViolation(_("Describe the issue that was found (%(article)s).") % {"article": ARTICLE_PATROL},
                            code="invalid", article=ARTICLE_PATROL)
    if asset is not None and InspectionFinding.objects.filter(round=round_, asset=asset).exists():
        raise Conflict(_("%(asset)s already has a finding in this round.") % {"asset": asset.number},
                       code="duplicate")
    return InspectionFinding.objects.create(round=round_, asset=asset, result=result, description=description,
                                            follow_up=(follow_up or "").strip()[:255])


@transaction.atomic
def complete_inspection(*, round: InspectionRound, actor, summary: str | None = None,  # noqa: A002
                        now=None) -> InspectionRound:
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    if round_.status != InspectionStatus.OPEN:
        raise Conflict(_("%(number)s is already completed.") % {"number": round_.number}, code="invalid_transition")
    if summary is not None:
        round_.summary = summary.strip()
    round_.status = InspectionStatus.DONE
    round_.completed_at = now or timezone.now()
    round_.save()
    issues = round_.findings.filter(result=FindingResult.ISSUE).count()
    add_plan_event(round_, verb="completed", actor=actor, data={"issues": issues})
    return round_


def inspection_overdue_locations(*, today: datetime.date | None = None, period_days: int | None = None) -> list[dict]:
    """Active locations holding equipment whose last completed patrol is older than the period (AUD-01).

    The period is the parameter "assets.inspection_period_days" (定期巡检, 篇1 第十条(8)).
    Returns [{"location", "last" (date or None), "due" (date or None), "days_overdue"}], oldest first.
    """
    from zhidu.core import params

    today = today or timezone.localdate()
    period = period_days if period_days is not None else int(params.get("assets.inspection_period_days"))
    with_assets = set(Asset.objects.exclude(status=AssetStatus.DISPOSED).exclude(location__isnull=True)
                      .order_by().values_list("location_id", flat=True).distinct())
    last = dict(InspectionRound.objects.filter(status=InspectionStatus.DONE).order_by()
                .values_list("location_id").annotate(last=Max("inspected_on")))
    rows = []
    for location in Location.objects.filter(is_active=True, pk__in=with_assets).order_by("code"):
        last_on = last.get(location.pk)
        due = last_on + datetime.timedelta(days=period) if last_on else None
        if due is None or due < today:
            rows.append({"location": location, "last": last_on, "due": due,
                         "days_overdue": (today - due).days if due else None})
    rows.sort(key=lambda r: (r["last"] is not None, r["last"] or datetime.date.min, r["location"].code))
    return rows
