"""Every state-changing operation of disposal (DESIGN rule 2; DSP-01…08, VAR-05).

Each function is keyword-only, runs in `transaction.atomic`, checks the lifecycle
(`workflows.check`, Conflict → 409) and the regulation's guards (RuleViolation → 400, citing the
article), lets the change log record field changes (signals) and writes a timeline event for each
workflow step — on the request and, where an asset changes, on the asset.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, CustodyPeriod
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import Attachment, TimelineEvent
from zhidu.core.numbering import next_number

from . import selectors, workflows
from .choices import DisposalMethod, LineKind, LineOutcome, SanitisationMethod, ScrapStatus, Verdict
from .models import DisposalRecord, SanitisationRecord, ScrapLine, ScrapRequest
from .params import PROCESS_KEY

S = ScrapStatus
CENT = Decimal("0.01")
ART_SANITISE = "篇13 3②"
ART_DISPOSED = "篇14/5 第十八条"
ART_NO_PRIVATE = "篇14/5 第十一条; 篇1 第三十一条"


@dataclass
class LineInput:
    """One item as entered in the form or the API (never passed to the ORM as **kwargs)."""

    reason: str
    kind: str = LineKind.HARDWARE
    asset: Asset | None = None
    software_name: str = ""
    licence_key: str = ""
    quantity: int = 1


@dataclass
class VerdictInput:
    """The appraisal (鉴定) of one item (DSP-02)."""

    line_id: int
    verdict: str
    notes: str = ""


# --- Helpers -------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _now(now=None):
    return now or timezone.now()


def add_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None, now=None) -> TimelineEvent:
    """Write one timeline event on `obj` (a request or an asset)."""
    event = TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), actor=_user(actor), verb=verb,
        message=message, data=data or {},
    )
    if now is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(time=now)
        event.time = now
    return event


def _lock(request: ScrapRequest) -> ScrapRequest:
    return ScrapRequest.objects.select_for_update().get(pk=request.pk)


def _set_status(request: ScrapRequest, status: str, *, extra: tuple[str, ...] = ()) -> None:
    request.status = status
    request.save(update_fields=["status", "updated", *extra])


def _person_of(actor):
    from zhidu.core.scoping import user_person_id
    from zhidu.org.models import Person

    user = _user(actor)
    if user is None:
        return None
    person_id = user_person_id(user)
    return Person.objects.filter(pk=person_id).first() if person_id else None


# --- Asset status (to move into zhidu.assets.services) -------------------------------------


def set_asset_status(*, asset: Asset, transition: str, actor, message: str, clear_custodian: bool = False,
                     verb: str = "status_changed", now=None) -> Asset:
    """Change an asset's status the way the ledger requires (AST-09): one save (the change log
    records before/after), the open custody period closed when the custodian is cleared, and a
    timeline event on the asset.

    `transition` is one of the disposal transitions registered in the asset lifecycle
    (`zhidu.assets.workflows`, see `register_asset_transitions`): its sources are checked
    (Conflict, 409) and it gives the target status.

    TODO(assets): this belongs in `zhidu.assets.services`; disposal calls it only for recovery
    (to_dispose, custodian cleared) and disposal (disposed). Move it when the assets services
    offer an equivalent, and call that from here.
    """
    from zhidu.assets import workflows as asset_workflows

    now = _now(now)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    status = asset_workflows.check(asset, transition).target
    before = asset.status
    fields = ["status", "updated"]
    asset.status = status
    if clear_custodian and asset.custodian_id is not None:
        asset.custodian = None
        fields.append("custodian")
    if clear_custodian:
        CustodyPeriod.objects.filter(asset=asset, ended__isnull=True).update(ended=now)
    asset.save(update_fields=fields)
    add_event(asset, verb=verb, actor=actor, message=message, data={"from": before, "to": status}, now=now)
    return asset


def register_asset_transitions() -> None:
    """Add disposal's steps to the asset lifecycle (zhidu.assets.workflows.register).

    * scrap_recover: an approved item collected by the IT authority (回收, DSP-01) — from in
      stock, in use, in repair or returned-awaiting-check (a loaned or lost device cannot be
      recovered) to "awaiting disposal";
    * dispose: "awaiting disposal" to "disposed", only with a disposal record (DSP-04).
    """
    from django.utils.translation import gettext_lazy

    from zhidu.assets import workflows as asset_workflows

    A = AssetStatus
    asset_workflows.register(asset_workflows.Transition(
        "scrap_recover", gettext_lazy("Recovery for scrapping (回收)"),
        frozenset({A.IN_STOCK, A.IN_USE, A.IN_REPAIR, A.RETURN_PENDING}), A.TO_DISPOSE), replace=True)
    asset_workflows.register(asset_workflows.Transition(
        "dispose", gettext_lazy("Disposal (处置)"), frozenset({A.TO_DISPOSE}), A.DISPOSED,
        (_guard_has_disposal_record,)), replace=True)
    for name in ("issue", "loan", "reallocate", "change_custodian"):
        asset_workflows.add_guard(name, _guard_not_locked_for_disposal)


def _guard_not_locked_for_disposal(asset, **ctx):
    """DSP-08 (篇14/5 第十一条): an asset approved for scrapping, awaiting disposal or disposed is
    handled only by the disposal workflow — it is not issued, loaned or reallocated."""
    if selectors.is_disposal_locked(asset):
        raise RuleViolation(
            _("%(asset)s is approved for scrapping or awaiting disposal; only the disposal workflow may handle it "
              "(篇14/5 第十一条).") % {"asset": asset},
            code="disposal_locked", article="篇14/5 第十一条",
        )


def _guard_has_disposal_record(asset, **ctx):
    """DSP-04, 篇14/5 第十八条: "disposed" only after the disposal record exists."""
    if not ScrapLine.objects.filter(asset_id=asset.pk, disposal__isnull=False).exists():
        raise RuleViolation(_("%(asset)s becomes “disposed” only with its disposal record (篇14/5 第十八条).")
                            % {"asset": asset}, code="no_disposal_record", article=ART_DISPOSED)


# --- Requests ------------------------------------------------------------------------------


def _clean_lines(lines: list[LineInput], *, actor, request_id: int | None = None) -> list[LineInput]:
    if not lines:
        raise RuleViolation(_("Add at least one asset or software licence to scrap."), code="required")
    visible = None
    user = _user(actor)
    if user is not None and not user.is_superuser:
        ids = [line.asset.pk for line in lines if line.asset is not None]
        visible = set(Asset.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))
    seen: set[int] = set()
    cleaned = []
    for n, line in enumerate(lines, start=1):
        reason = (line.reason or "").strip()
        if not reason:
            raise RuleViolation(_("Item %(n)d: the reason is required (DSP-02).") % {"n": n}, code="required")
        if line.kind == LineKind.SOFTWARE:
            name = (line.software_name or "").strip()
            if not name:
                raise RuleViolation(_("Item %(n)d: name the software.") % {"n": n}, code="required")
            try:
                quantity = int(line.quantity)
            except (TypeError, ValueError):
                quantity = 0
            if quantity < 1:
                raise RuleViolation(_("Item %(n)d: the quantity must be at least 1.") % {"n": n}, code="invalid")
            cleaned.append(LineInput(reason=reason, kind=LineKind.SOFTWARE, software_name=name[:200],
                                     licence_key=(line.licence_key or "").strip()[:200], quantity=quantity))
            continue
        if line.kind != LineKind.HARDWARE:
            raise RuleViolation(_("Item %(n)d: unknown kind.") % {"n": n}, code="invalid")
        asset = line.asset
        if asset is None or (visible is not None and asset.pk not in visible):
            raise RuleViolation(_("Item %(n)d: choose an asset of the ledger that you may see.") % {"n": n},
                                code="invalid")
        if asset.pk in seen:
            raise RuleViolation(_("Item %(n)d: %(asset)s is listed twice.") % {"n": n, "asset": asset},
                                code="duplicate")
        seen.add(asset.pk)
        if asset.status in (AssetStatus.TO_DISPOSE, AssetStatus.DISPOSED):
            raise RuleViolation(_("Item %(n)d: %(asset)s is already “%(status)s”.")
                                % {"n": n, "asset": asset, "status": asset.get_status_display()}, code="locked")
        other = selectors.open_line_for(asset.pk, exclude_request_id=request_id)
        if other is not None:
            raise RuleViolation(_("Item %(n)d: %(asset)s is already on scrapping request %(number)s.")
                                % {"n": n, "asset": asset, "number": other.request.number}, code="duplicate")
        cleaned.append(LineInput(reason=reason, kind=LineKind.HARDWARE, asset=asset, quantity=1))
    return cleaned


def _write_lines(request: ScrapRequest, lines: list[LineInput]) -> None:
    request.lines.all().delete()
    for position, line in enumerate(lines, start=1):
        ScrapLine.objects.create(request=request, position=position, kind=line.kind, asset=line.asset,
                                 software_name=line.software_name, licence_key=line.licence_key,
                                 quantity=line.quantity, reason=line.reason)


def create_request(*, requester, actor, title: str, lines: list[LineInput], reason: str = "", department=None,
                   now=None) -> ScrapRequest:
    """A draft 报废申请单 of the using department (DSP-02): one or several items, a reason per item."""
    now = _now(now)
    title = (title or "").strip()
    if not title:
        raise RuleViolation(_("The title is required."), code="required")
    with transaction.atomic():
        cleaned = _clean_lines(lines, actor=actor)
        request = ScrapRequest.objects.create(
            number=next_number("disposal.scrap", prefix="BF", year=timezone.localtime(now).year),
            title=title[:200], requester=requester, department=department or requester.department,
            reason=(reason or "").strip(), created_by=_user(actor),
        )
        _write_lines(request, cleaned)
        add_event(request, verb="created", actor=actor, now=now)
    return request


def update_request(*, request: ScrapRequest, actor, title: str, lines: list[LineInput], reason: str = "") -> ScrapRequest:
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "edit")
        title = (title or "").strip()
        if not title:
            raise RuleViolation(_("The title is required."), code="required")
        cleaned = _clean_lines(lines, actor=actor, request_id=request.pk)
        request.title, request.reason = title[:200], (reason or "").strip()
        request.save(update_fields=["title", "reason", "updated"])
        _write_lines(request, cleaned)
    return request


def delete_draft(*, request: ScrapRequest, actor) -> None:
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "delete")
        if request.submitted_at is not None:
            raise Conflict(_("A request that was submitted once is kept; withdraw it instead."), code="submitted")
        request.lines.all().delete()
        request.delete()


def submit_request(*, request: ScrapRequest, actor, now=None) -> ScrapRequest:
    """Send the request to the IT authority for appraisal (鉴定, DSP-02, 篇1 第二十九条)."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "submit")
        lines = list(request.lines.select_related("asset"))
        _clean_lines([LineInput(reason=line.reason, kind=line.kind, asset=line.asset, software_name=line.software_name,
                                licence_key=line.licence_key, quantity=line.quantity) for line in lines],
                     actor=None, request_id=request.pk)
        request.lines.update(verdict=Verdict.PENDING, outcome=LineOutcome.PENDING, appraisal_notes="")
        request.submitted_at = now
        _set_status(request, S.APPRAISAL, extra=("submitted_at",))
        add_event(request, verb="submitted", actor=actor, now=now,
                  message=_("Submitted to the IT authority for appraisal (DSP-02)."))
    return request


def withdraw_request(*, request: ScrapRequest, actor, reason: str = "", now=None) -> ScrapRequest:
    from zhidu.core.approvals import selectors as approval_selectors
    from zhidu.core.approvals import services as approvals

    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "withdraw")
        if request.status == S.APPROVAL:
            approval = approval_selectors.approval_for(request)
            if approval is not None and approval.status == "pending":
                approvals.withdraw(approval=approval, actor=actor, reason=reason)
                request.refresh_from_db()
        if request.status != S.WITHDRAWN:
            request.closed_at = now
            _set_status(request, S.WITHDRAWN, extra=("closed_at",))
        add_event(request, verb="withdrawn", actor=actor, message=reason, now=now)
    return request


def appraise(*, request: ScrapRequest, actor, verdicts: list[VerdictInput], now=None) -> ScrapRequest:
    """The IT authority's appraisal (鉴定, DSP-02): per item repair or scrap, with notes.

    Items to repair go back to the department (the request closes when every item is "repair");
    the items to scrap are submitted to the VAR-05 approval (process "disposal.scrap").
    """
    from zhidu.core.approvals import services as approvals

    from .approval import ensure_policy
    from .params import VARIANT_KEY, value

    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "appraise")
        lines = {line.pk: line for line in request.lines.select_related("asset")}
        given = {v.line_id: v for v in verdicts}
        unknown = set(given) - set(lines)
        if unknown:
            raise RuleViolation(_("Item %(id)s is not on this request.") % {"id": min(unknown)}, code="invalid")
        for n, line in enumerate(lines.values(), start=1):
            v = given.get(line.pk)
            if v is None or v.verdict not in (Verdict.REPAIR, Verdict.SCRAP):
                raise RuleViolation(_("Item %(n)d (%(item)s): choose repair or scrap (DSP-02).")
                                    % {"n": n, "item": line}, code="required", article="篇1 第二十九条")
        appraiser = _person_of(actor)
        scrap = 0
        for line in lines.values():
            v = given[line.pk]
            line.verdict, line.appraisal_notes = v.verdict, (v.notes or "").strip()
            if v.verdict == Verdict.REPAIR:
                line.outcome = LineOutcome.TO_REPAIR
                if line.asset_id:
                    add_event(line.asset, verb="scrap_repair", actor=actor, now=now,
                              message=_("Appraised on %(number)s: to be repaired, not scrapped.")
                              % {"number": request.number})
            else:
                scrap += 1
            line.save(update_fields=["verdict", "appraisal_notes", "outcome", "updated"])
        request.appraised_at, request.appraised_by = now, appraiser
        fields = ("appraised_at", "appraised_by")
        add_event(request, verb="appraised", actor=actor, now=now,
                  message=_("%(scrap)d to scrap, %(repair)d to repair.") % {"scrap": scrap,
                                                                             "repair": len(lines) - scrap})
        if not scrap:
            request.closed_at = now
            _set_status(request, S.REPAIR, extra=(*fields, "closed_at"))
            return request
        request.routing_variant = str(value(VARIANT_KEY))
        _set_status(request, S.APPROVAL, extra=(*fields, "routing_variant"))
        ensure_policy(actor=actor)
        approvals.submit(subject=request, process_key=PROCESS_KEY, requester=request.requester, actor=actor,
                         now=now)
    return request


# --- Approval callbacks (called inside the deciding transaction) ---------------------------


def _scrap_lines(request):
    return request.lines.filter(verdict=Verdict.SCRAP)


def on_approved(subject: ScrapRequest, approval) -> None:
    request = _lock(subject)
    workflows.check(request, "approve")
    request.decided_at = getattr(approval, "finished_at", None) or timezone.now()
    _scrap_lines(request).update(outcome=LineOutcome.APPROVED)
    _set_status(request, S.APPROVED, extra=("decided_at",))
    subject.status = request.status


def on_rejected(subject: ScrapRequest, approval) -> None:
    """Scrapping not approved: the items go back to the department (to repair)."""
    request = _lock(subject)
    workflows.check(request, "reject")
    now = getattr(approval, "finished_at", None) or timezone.now()
    request.decided_at = request.closed_at = now
    for line in _scrap_lines(request).select_related("asset"):
        line.outcome = LineOutcome.NOT_APPROVED
        line.save(update_fields=["outcome", "updated"])
        if line.asset_id:
            add_event(line.asset, verb="scrap_repair", message=_("Scrapping on %(number)s not approved: back to "
                                                                  "repair.") % {"number": request.number})
    _set_status(request, S.REJECTED, extra=("decided_at", "closed_at"))
    subject.status = request.status


def on_returned(subject: ScrapRequest, approval) -> None:
    """退回: the requester may edit and resubmit (the items are appraised again)."""
    request = _lock(subject)
    workflows.check(request, "return")
    _set_status(request, S.RETURNED)
    subject.status = request.status


def on_withdrawn(subject: ScrapRequest, approval) -> None:
    request = _lock(subject)
    if request.status == S.APPROVAL:
        request.closed_at = timezone.now()
        _set_status(request, S.WITHDRAWN, extra=("closed_at",))
    subject.status = request.status


# --- After approval: recovery, sanitisation, disposal --------------------------------------


def recover(*, request: ScrapRequest, actor, now=None) -> ScrapRequest:
    """回收: the IT authority collects the approved items (DSP-01, 篇1 第二十八条; DSP-04).

    Each asset becomes "awaiting disposal" and its custodian is cleared (the custody period ends).
    """
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "recover")
        lines = list(request.lines.filter(outcome=LineOutcome.APPROVED).select_related("asset"))
        for line in lines:
            if line.asset_id:
                set_asset_status(asset=line.asset, transition="scrap_recover", actor=actor, clear_custodian=True,
                                 verb="scrap_recovered", now=now,
                                 message=_("Recovered by the IT authority for scrapping (%(number)s).")
                                 % {"number": request.number})
            line.outcome = LineOutcome.RECOVERED
            line.save(update_fields=["outcome", "updated"])
        request.recovered_at = now
        _set_status(request, S.RECOVERED, extra=("recovered_at",))
        add_event(request, verb="recovered", actor=actor, now=now,
                  message=_("%(n)d item(s) recovered by the IT authority.") % {"n": len(lines)})
    return request


def record_sanitisation(*, line: ScrapLine, actor, method: str, performed_by, verified_by,
                        performed_on: datetime.date, notes: str = "", now=None) -> SanitisationRecord:
    """Record how a recovered device's data was removed (DSP-07, 篇13 3②)."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(line.request)
        workflows.check(request, "sanitise")
        line = ScrapLine.objects.select_related("asset__category").get(pk=line.pk)
        if line.kind != LineKind.HARDWARE:
            raise RuleViolation(_("Software has no data carrier to sanitise (DSP-05)."), code="invalid")
        if line.outcome != LineOutcome.RECOVERED:
            raise Conflict(_("%(item)s is not a recovered item awaiting disposal.") % {"item": line},
                           code="invalid_status")
        if SanitisationRecord.objects.filter(line=line).exists():
            raise Conflict(_("The sanitisation of %(item)s is already recorded.") % {"item": line}, code="duplicate")
        if method not in SanitisationMethod.values:
            raise RuleViolation(_("Choose a sanitisation method."), code="required")
        if method == SanitisationMethod.NOT_APPLICABLE and selectors.stores_data(line.asset):
            raise RuleViolation(
                _("%(item)s stores data: choose overwrite, degauss or physical destruction (篇13 3②).")
                % {"item": line}, code="sanitisation_required", article=ART_SANITISE)
        if performed_by is None or verified_by is None:
            raise RuleViolation(_("Name who performed and who verified the sanitisation."), code="required")
        if performed_on is None:
            raise RuleViolation(_("The date is required."), code="required")
        record = SanitisationRecord.objects.create(line=line, method=method, performed_by=performed_by,
                                                   verified_by=verified_by, performed_on=performed_on,
                                                   notes=(notes or "").strip())
        add_event(request, verb="sanitised", actor=actor, now=now,
                  message=_("%(item)s: %(method)s.") % {"item": line, "method": record.get_method_display()})
        if line.asset_id:
            add_event(line.asset, verb="sanitised", actor=actor, now=now,
                      message=_("Data sanitisation recorded: %(method)s.") % {"method": record.get_method_display()})
    return record


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, TypeError, ValueError):
        raise RuleViolation(_("Proceeds: enter a valid amount."), code="invalid") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise RuleViolation(_("Proceeds: a non-negative amount with at most 2 decimal places."), code="invalid")
    return amount.quantize(CENT)


def record_disposal(*, request: ScrapRequest, actor, method: str, recipient: str, disposed_on: datetime.date,
                    proceeds=Decimal("0.00"), notes: str = "", line_ids: list[int] | None = None, certificate=None,
                    now=None) -> DisposalRecord:
    """Record how recovered items left (DSP-04): only then do their assets become "disposed".

    `line_ids` None: every recovered item not yet disposed. A device that stores data needs its
    sanitisation record first (DSP-07, 篇13 3②). When no recovered item remains the request is
    closed as disposed.
    """
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "dispose")
        if method not in DisposalMethod.values:
            raise RuleViolation(_("Choose a disposal method."), code="required")
        recipient = (recipient or "").strip()
        if not recipient:
            raise RuleViolation(_("The recipient is required."), code="required")
        if disposed_on is None:
            raise RuleViolation(_("The disposal date is required."), code="required")
        amount = _money(proceeds)
        pending = request.lines.filter(outcome=LineOutcome.RECOVERED).select_related("asset__category")
        if line_ids is not None:
            pending = pending.filter(pk__in=line_ids)
        lines = list(pending)
        if line_ids is not None and len(lines) != len(set(line_ids)):
            raise RuleViolation(_("Choose recovered items of this request that are not disposed yet."),
                                code="invalid")
        if not lines:
            raise RuleViolation(_("There is no recovered item left to dispose of."), code="invalid")
        sanitised = set(SanitisationRecord.objects.filter(line__in=lines).values_list("line_id", flat=True))
        missing = [line for line in lines if line.asset_id and line.pk not in sanitised
                   and selectors.stores_data(line.asset)]
        if missing:
            raise RuleViolation(
                _("Record the data sanitisation first: %(items)s may hold data and must not leave with it "
                  "(篇13 3②, DSP-07).") % {"items": "、".join(str(line) for line in missing)},
                code="sanitisation_required", article=ART_SANITISE)
        record = DisposalRecord.objects.create(request=request, method=method, recipient=recipient[:200],
                                               disposed_on=disposed_on, proceeds=amount, notes=(notes or "").strip(),
                                               recorded_by=_user(actor))
        for line in lines:
            line.disposal, line.outcome = record, LineOutcome.DISPOSED
            line.save(update_fields=["disposal", "outcome", "updated"])
            if line.asset_id:
                set_asset_status(asset=line.asset, transition="dispose", actor=actor, verb="disposed", now=now,
                                 message=_("Disposed (%(method)s, %(recipient)s) on %(number)s.")
                                 % {"method": record.get_method_display(), "recipient": recipient,
                                    "number": request.number})
        if certificate is not None:
            attach_file(obj=record, file=certificate, actor=actor, description=_("Disposal certificate"))
        add_event(request, verb="disposed", actor=actor, now=now, data={"record": record.pk},
                  message=_("%(n)d item(s): %(method)s, %(recipient)s.")
                  % {"n": len(lines), "method": record.get_method_display(), "recipient": recipient})
        if not request.lines.filter(outcome=LineOutcome.RECOVERED).exists():
            request.closed_at = now
            _set_status(request, S.DISPOSED, extra=("closed_at",))
    return record


def attach_file(*, obj, file, actor, description: str = "") -> Attachment:
    """Attach an uploaded file (the disposal certificate) to `obj`."""
    attachment = Attachment(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                            name=file.name[:255], size=getattr(file, "size", 0) or 0, uploaded_by=_user(actor),
                            description=str(description)[:255])
    attachment.file.save(file.name, file, save=False)
    attachment.sha256 = attachment.compute_sha256()
    attachment.save()
    return attachment
