"""Every state-changing operation of procurement (DESIGN rule 2).

Each function is keyword-only, runs in `transaction.atomic`, checks the lifecycle and the
regulation's guards (`workflows.check`), lets the change log record field changes (signals)
and writes a timeline event for each workflow step. Rules refuse with `RuleViolation`
(API 400) or `Conflict` (API 409), citing their article.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import Attachment, TimelineEvent
from zhidu.core.numbering import next_number

from . import workflows
from .choices import (
    ApprovalChoice,
    FilingStatus,
    LineCategory,
    RejectedAction,
    RequestKind,
    RequestStatus,
)
from .models import (
    Acceptance,
    AcceptanceLine,
    PurchaseLine,
    PurchaseOrder,
    PurchaseRequest,
    QuotationWaiver,
    Reimbursement,
    SelfPurchaseFiling,
    StockIn,
    StockInLine,
    SupplierQuotation,
)
from .params import PROCESS_KEY

S = RequestStatus
CENT = Decimal("0.01")


# --- Inputs --------------------------------------------------------------------------------


@dataclass
class LineInput:
    """One line as entered in the form or the API (never passed to the ORM as **kwargs)."""

    item: str
    quantity: int
    unit_price: Decimal
    category: str = LineCategory.COMPUTER
    specification: str = ""
    unit: str = ""
    id: int | None = None


@dataclass
class AcceptanceInput:
    """The acceptance result for one request line (PRC-12)."""

    line_id: int
    accepted_quantity: int = 0
    rejected_quantity: int = 0
    rejected_action: str = ""
    notes: str = ""


# --- Helpers -------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def add_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None, now=None) -> TimelineEvent:
    """Write one timeline event on `obj` (the purchase request)."""
    event = TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        actor=_user(actor),
        verb=verb,
        message=message,
        data=data or {},
    )
    if now is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(time=now)
        event.time = now
    return event


def _lock(request: PurchaseRequest) -> PurchaseRequest:
    """Re-read the request under a row lock so two actions never act on a stale status."""
    return PurchaseRequest.objects.select_for_update().get(pk=request.pk)


def _money(value, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise RuleViolation(_("%(field)s: enter a valid amount.") % {"field": field}, code="invalid") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise RuleViolation(_("%(field)s: an amount has at most 2 decimal places.") % {"field": field}, code="invalid")
    if amount < 0 or (not allow_zero and amount == 0):
        raise RuleViolation(_("%(field)s must be greater than zero.") % {"field": field}
                            if not allow_zero else _("%(field)s cannot be negative.") % {"field": field},
                            code="invalid")
    return amount.quantize(CENT)


def _clean_lines(lines: list[LineInput]) -> list[LineInput]:
    cleaned = []
    for index, line in enumerate(lines, start=1):
        item = (line.item or "").strip()
        if not item:
            raise RuleViolation(_("Line %(n)d: the item is required.") % {"n": index}, code="invalid")
        if line.category not in LineCategory.values:
            raise RuleViolation(_("Line %(n)d: unknown category.") % {"n": index}, code="invalid")
        try:
            quantity = int(line.quantity)
        except (TypeError, ValueError):
            quantity = 0
        if quantity <= 0:
            raise RuleViolation(
                _("Line %(n)d: the quantity must be greater than zero (篇14/5 第九条).") % {"n": index},
                code="invalid", article="篇14/5 第九条",
            )
        price = _money(line.unit_price, field=_("Line %(n)d: unit price") % {"n": index})
        cleaned.append(LineInput(item=item[:200], quantity=quantity, unit_price=price, category=line.category,
                                 specification=(line.specification or "").strip(), unit=(line.unit or "").strip()[:10],
                                 id=line.id))
    return cleaned


def _recompute_total(request: PurchaseRequest) -> None:
    total = sum((line.amount for line in request.lines.all()), Decimal("0.00"))
    if request.total_amount != total:
        request.total_amount = total
        request.save(update_fields=["total_amount", "updated"])


def _write_lines(request: PurchaseRequest, lines: list[LineInput]) -> None:
    """Replace the request's lines: update those with an id, create new ones, delete the rest."""
    existing = {line.pk: line for line in request.lines.all()}
    keep = set()
    for position, data in enumerate(lines, start=1):
        line = existing.get(data.id) if data.id else None
        if line is None:
            line = PurchaseLine(request=request)
        line.position = position
        line.item = data.item
        line.category = data.category
        line.specification = data.specification
        line.quantity = data.quantity
        line.unit = data.unit
        line.unit_price = data.unit_price
        line.save()
        keep.add(line.pk)
    for pk, line in existing.items():
        if pk not in keep:
            line.delete()
    _recompute_total(request)


def _request_fields(request, *, kind, title, purpose, software_needs, configuration_standard, deviates_from_standard,
                    deviation_justification, needed_by, expected_contract_amount):
    if kind not in RequestKind.values:
        raise RuleViolation(_("Unknown form type."), code="invalid")
    request.kind = kind
    request.title = (title or "").strip()[:200]
    request.purpose = (purpose or "").strip()
    request.software_needs = (software_needs or "").strip()
    request.configuration_standard = (configuration_standard or "").strip()
    request.deviates_from_standard = bool(deviates_from_standard)
    request.deviation_justification = (deviation_justification or "").strip()
    request.needed_by = needed_by
    request.expected_contract_amount = (
        None if expected_contract_amount in (None, "") else _money(expected_contract_amount,
                                                                   field=_("Expected contract amount"))
    )
    if not request.title:
        raise RuleViolation(_("Title is required."), code="required")


# --- Purchase requests ---------------------------------------------------------------------


def create_request(
    *,
    requester,
    actor,
    title: str,
    lines: list[LineInput],
    kind: str = RequestKind.APPLICATION,
    department=None,
    purpose: str = "",
    software_needs: str = "",
    configuration_standard: str = "",
    deviates_from_standard: bool = False,
    deviation_justification: str = "",
    needed_by: datetime.date | None = None,
    expected_contract_amount=None,
    now=None,
) -> PurchaseRequest:
    """Create a draft request with its lines; the number CG-YYYY-NNNNNN is allocated in this transaction."""
    lines = _clean_lines(lines)
    with transaction.atomic():
        request = PurchaseRequest(requester=requester, department=department or requester.department,
                                  status=S.DRAFT, created_by=_user(actor))
        _request_fields(request, kind=kind, title=title, purpose=purpose, software_needs=software_needs,
                        configuration_standard=configuration_standard, deviates_from_standard=deviates_from_standard,
                        deviation_justification=deviation_justification, needed_by=needed_by,
                        expected_contract_amount=expected_contract_amount)
        workflows.guard_infrastructure(request, categories={line.category for line in lines})
        year = (now or timezone.now()).astimezone(timezone.get_current_timezone()).year
        request.number = next_number("CG", year=year)
        request.save()
        _write_lines(request, lines)
        add_event(request, verb="created", actor=actor, now=now,
                  message=_("%(form)s created") % {"form": request.get_kind_display()})
    return request


def update_request(
    *,
    request: PurchaseRequest,
    actor,
    title: str,
    lines: list[LineInput],
    kind: str,
    purpose: str = "",
    software_needs: str = "",
    configuration_standard: str = "",
    deviates_from_standard: bool = False,
    deviation_justification: str = "",
    needed_by: datetime.date | None = None,
    expected_contract_amount=None,
) -> PurchaseRequest:
    """Edit a draft or returned request (the requester corrects what the approver asked for)."""
    lines = _clean_lines(lines)
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "edit")
        _request_fields(request, kind=kind, title=title, purpose=purpose, software_needs=software_needs,
                        configuration_standard=configuration_standard, deviates_from_standard=deviates_from_standard,
                        deviation_justification=deviation_justification, needed_by=needed_by,
                        expected_contract_amount=expected_contract_amount)
        workflows.guard_infrastructure(request, categories={line.category for line in lines})
        request.save()
        _write_lines(request, lines)
    return request


def delete_draft(*, request: PurchaseRequest, actor) -> None:
    """Delete a draft that was never submitted (its number is not reused: numbers never repeat)."""
    with transaction.atomic():
        request = _lock(request)
        if request.status != S.DRAFT or request.submitted_at is not None:
            raise Conflict(_("Only a draft that was never submitted can be deleted; withdraw it instead."),
                           code="invalid_transition")
        for line in request.lines.all():
            line.delete()
        request.delete()


def submit_request(*, request: PurchaseRequest, actor, now=None):
    """Submit for approval (PRC-01/04/05): refused when mandatory content is missing (篇14/5 第九条).

    Freezes the single-contract amount the approval is routed on (VAR-01 A, 篇1 第九条(2)) and
    starts the approval of process "procurement.purchase"; the engine's callbacks move the
    request on when it is decided.
    """
    from zhidu.core.approvals import services as approvals

    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "submit")
        request.routing_amount = request.contract_amount
        request.status = S.SUBMITTED
        request.submitted_at = now or timezone.now()
        request.approval_choice = ""
        request.decided_at = None
        request.save()
        approval = approvals.submit(subject=request, process_key=PROCESS_KEY, requester=request.requester,
                                    actor=actor)
    return approval


def withdraw_request(*, request: PurchaseRequest, actor, reason: str = "", now=None) -> PurchaseRequest:
    """Withdraw a draft, a returned request, or one still in approval (the approval is withdrawn too)."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "withdraw")
        if request.status == S.SUBMITTED:
            from zhidu.core.approvals import selectors as approval_selectors
            from zhidu.core.approvals import services as approvals

            approval = approval_selectors.approval_for(request)
            if approval is not None and approval.status == "pending":
                approvals.withdraw(approval=approval, actor=actor, reason=reason)
                request.refresh_from_db()
        if request.status != S.WITHDRAWN:
            _set_status(request, S.WITHDRAWN, now=now)
            add_event(request, verb="withdrawn", actor=actor, message=reason, now=now)
    return request


def _set_status(request: PurchaseRequest, status: str, *, now=None, extra: tuple[str, ...] = ()) -> None:
    request.status = status
    if status in workflows.TERMINAL:
        request.closed_at = now or timezone.now()
    request.save(update_fields=["status", "closed_at", "updated", *extra])


# --- Approval engine callbacks (registered in approval.py) --------------------------------


def on_approved(subject: PurchaseRequest, approval) -> None:
    """The last step approved: purchase, or reallocate from stock when the approvers chose 调剂 (PRC-05)."""
    request = _lock(subject)
    choice = getattr(approval, "choice", "") or ApprovalChoice.PURCHASE
    if choice not in ApprovalChoice.values:
        choice = ApprovalChoice.PURCHASE
    workflows.check(request, "reallocate" if choice == ApprovalChoice.REALLOCATE else "approve")
    request.approval_choice = choice
    request.decided_at = timezone.now()
    target = S.REALLOCATED if choice == ApprovalChoice.REALLOCATE else S.APPROVED
    _set_status(request, target, extra=("approval_choice", "decided_at"))
    if target == S.REALLOCATED:
        add_event(request, verb="reallocated", message=_("Approved for reallocation from existing stock (调剂); "
                                                         "no purchase is made."))
    subject.status, subject.approval_choice = request.status, request.approval_choice


def on_rejected(subject: PurchaseRequest, approval) -> None:
    request = _lock(subject)
    workflows.check(request, "reject")
    request.decided_at = timezone.now()
    _set_status(request, S.REJECTED, extra=("decided_at",))
    subject.status = request.status


def on_returned(subject: PurchaseRequest, approval) -> None:
    """退回: the requester may edit and resubmit."""
    request = _lock(subject)
    workflows.check(request, "return")
    _set_status(request, S.RETURNED)
    subject.status = request.status


def on_withdrawn(subject: PurchaseRequest, approval) -> None:
    request = _lock(subject)
    if request.status == S.SUBMITTED:
        _set_status(request, S.WITHDRAWN)
    subject.status = request.status


# --- After approval: quotations, order -----------------------------------------------------


def add_quotation(*, request: PurchaseRequest, actor, supplier_name: str, amount, quoted_on: datetime.date,
                  contact: str = "", notes: str = "", file=None, now=None) -> SupplierQuotation:
    """Record a supplier quotation (货比三家, PRC-11); an uploaded scan is attached to it."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "add_quotation")
        supplier_name = (supplier_name or "").strip()
        if not supplier_name:
            raise RuleViolation(_("The supplier is required."), code="required")
        if request.quotations.filter(supplier_name=supplier_name).exists():
            raise RuleViolation(_("This supplier has already quoted for this request; compare different suppliers "
                                  "(PRC-11)."), code="duplicate_supplier", article="篇6 第三条(7)")
        if quoted_on is None:
            raise RuleViolation(_("The quotation date is required."), code="required")
        quotation = SupplierQuotation.objects.create(
            request=request, supplier_name=supplier_name[:200], contact=(contact or "").strip()[:200],
            amount=_money(amount, field=_("Quoted amount")), quoted_on=quoted_on, notes=(notes or "").strip(),
            recorded_by=_user(actor),
        )
        if file is not None:
            attach_file(obj=quotation, file=file, actor=actor)
        if request.status != S.QUOTING:
            _set_status(request, S.QUOTING)
        add_event(request, verb="quotation_added", actor=actor, now=now,
                  message=_("%(supplier)s quoted ¥%(amount)s") % {"supplier": quotation.supplier_name,
                                                                  "amount": quotation.amount},
                  data={"quotation": quotation.pk})
    return quotation


def attach_file(*, obj, file, actor, description: str = "") -> Attachment:
    """Attach an uploaded file to `obj` (a quotation scan, a signed acceptance record…)."""
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), name=file.name[:255],
        size=getattr(file, "size", 0) or 0, uploaded_by=_user(actor), description=description[:255],
    )
    attachment.file.save(file.name, file, save=False)
    attachment.sha256 = attachment.compute_sha256()
    attachment.save()
    return attachment


def waive_quotations(*, request: PurchaseRequest, actor, reason: str, now=None) -> QuotationWaiver:
    """Record why fewer quotations than the minimum were obtained (single source, framework agreement…)."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "waive_quotations")
        reason = (reason or "").strip()
        if not reason:
            raise RuleViolation(_("A waiver of the quotation rule needs a reason (PRC-11, 篇6 第三条(7))."),
                                code="required", article="篇6 第三条(7)")
        if QuotationWaiver.objects.filter(request=request).exists():
            raise Conflict(_("A waiver is already recorded for this request."), code="duplicate")
        waiver = QuotationWaiver.objects.create(request=request, reason=reason, recorded_by=_user(actor))
        if request.status != S.QUOTING:
            _set_status(request, S.QUOTING)
        add_event(request, verb="quotations_waived", actor=actor, message=reason, now=now)
    return waiver


def create_order(*, request: PurchaseRequest, actor, supplier_name: str, contract_no: str, amount,
                 signed_on: datetime.date, quotation: SupplierQuotation | None = None, notes: str = "",
                 now=None) -> PurchaseOrder:
    """Sign the order/contract: needs ≥ N quotations or a waiver (PRC-11), within the approved amount."""
    with transaction.atomic():
        request = _lock(request)
        amount = _money(amount, field=_("Contract amount"), allow_zero=False)
        workflows.check(request, "order", amount=amount)
        supplier_name = (supplier_name or "").strip()
        contract_no = (contract_no or "").strip()
        if quotation is not None:
            if quotation.request_id != request.pk:
                raise RuleViolation(_("The chosen quotation belongs to another request."), code="invalid")
            supplier_name = supplier_name or quotation.supplier_name
        if not supplier_name:
            raise RuleViolation(_("The supplier is required."), code="required")
        if not contract_no:
            raise RuleViolation(_("The contract number is required."), code="required")
        if signed_on is None:
            raise RuleViolation(_("The signing date is required."), code="required")
        if PurchaseOrder.objects.filter(contract_no=contract_no).exists():
            raise Conflict(_("Contract number %(no)s is already used.") % {"no": contract_no}, code="duplicate")
        order = PurchaseOrder.objects.create(
            request=request, supplier_name=supplier_name[:200], contract_no=contract_no[:60], amount=amount,
            signed_on=signed_on, quotation=quotation, notes=(notes or "").strip(), recorded_by=_user(actor),
        )
        _set_status(request, S.ORDERED)
        add_event(request, verb="ordered", actor=actor, now=now,
                  message=_("Contract %(no)s with %(supplier)s, ¥%(amount)s")
                  % {"no": order.contract_no, "supplier": order.supplier_name, "amount": order.amount},
                  data={"order": order.pk})
    return order


# --- Acceptance, stock-in, reimbursement ---------------------------------------------------


def record_acceptance(*, request: PurchaseRequest, actor, accepted_by, results: list[AcceptanceInput],
                      accepted_at: datetime.datetime | None = None, notes: str = "", now=None) -> Acceptance:
    """Accept delivered goods against the approved lines (验收, PRC-12, 篇6 第三条(7)(23)).

    Per line: accepted + rejected ≤ still outstanding (ordered − accepted before); rejected items
    must be flagged for return or exchange. The request becomes accepted when every ordered
    item is accepted, otherwise partially accepted (exchanged goods are accepted later).
    """
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "accept")
        outstanding = workflows.outstanding_quantities(request)
        lines = {line.pk: line for line in request.lines.all()}
        seen = set()
        clean: list[AcceptanceInput] = []
        for result in results:
            line = lines.get(result.line_id)
            if line is None:
                raise RuleViolation(_("A result refers to a line that is not on this request."), code="invalid")
            if line.pk in seen:
                raise RuleViolation(_("Line “%(item)s” appears twice.") % {"item": line.item}, code="invalid")
            seen.add(line.pk)
            accepted, rejected = int(result.accepted_quantity or 0), int(result.rejected_quantity or 0)
            if accepted < 0 or rejected < 0:
                raise RuleViolation(_("Quantities cannot be negative."), code="invalid")
            if accepted + rejected > outstanding[line.pk]:
                raise RuleViolation(
                    _("“%(item)s”: accepted %(acc)d + rejected %(rej)d exceeds the %(out)d still to be accepted of "
                      "%(ordered)d ordered (PRC-12).")
                    % {"item": line.item, "acc": accepted, "rej": rejected, "out": outstanding[line.pk],
                       "ordered": line.quantity},
                    code="quantity_exceeded", article="篇6 第三条(23)",
                )
            action = result.rejected_action or ""
            if rejected and action not in RejectedAction.values:
                raise RuleViolation(
                    _("“%(item)s”: rejected items must be flagged for return or exchange (PRC-12).")
                    % {"item": line.item}, code="rejected_action_required", article="篇6 第三条(7)",
                )
            if not rejected:
                action = ""
            if accepted or rejected:
                clean.append(AcceptanceInput(line_id=line.pk, accepted_quantity=accepted, rejected_quantity=rejected,
                                             rejected_action=action, notes=(result.notes or "").strip()[:500]))
        if not clean:
            raise RuleViolation(_("Enter the accepted or rejected quantity of at least one line."), code="required")
        if accepted_by is None:
            raise RuleViolation(_("Who accepted the goods is required."), code="required")
        acceptance = Acceptance.objects.create(
            request=request, accepted_by=accepted_by, accepted_at=accepted_at or now or timezone.now(),
            notes=(notes or "").strip(), recorded_by=_user(actor),
        )
        for item in clean:
            AcceptanceLine.objects.create(
                acceptance=acceptance, line_id=item.line_id, accepted_quantity=item.accepted_quantity,
                rejected_quantity=item.rejected_quantity, rejected_action=item.rejected_action, notes=item.notes,
            )
            outstanding[item.line_id] -= item.accepted_quantity
        full = all(q == 0 for q in outstanding.values())
        _set_status(request, S.ACCEPTED if full else S.PARTIALLY_ACCEPTED)
        accepted_total = sum(i.accepted_quantity for i in clean)
        rejected_total = sum(i.rejected_quantity for i in clean)
        add_event(request, verb="accepted", actor=actor, now=now,
                  message=_("Accepted %(acc)d, rejected %(rej)d item(s); %(state)s")
                  % {"acc": accepted_total, "rej": rejected_total,
                     "state": _("all goods accepted") if full else _("goods still outstanding")},
                  data={"acceptance": acceptance.pk})
    return acceptance


def create_stock_in(*, request: PurchaseRequest, actor, received_by, location: str,
                    received_at: datetime.datetime | None = None, notes: str = "", now=None) -> StockIn:
    """Take every accepted, not yet stocked item into stock (入库单 RK-YYYY-NNNNNN, PRC-13/PRC-17)."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "stock_in")
        location = (location or "").strip()
        if not location:
            raise RuleViolation(_("The warehouse / location is required."), code="required")
        if received_by is None:
            raise RuleViolation(_("Who received the goods is required."), code="required")
        pending = workflows.unstocked_quantities(request)
        when = received_at or now or timezone.now()
        stock_in = StockIn.objects.create(
            number=next_number("RK", year=when.astimezone(timezone.get_current_timezone()).year),
            request=request, location=location[:200], received_by=received_by, received_at=when,
            notes=(notes or "").strip(), recorded_by=_user(actor),
        )
        for line_id, quantity in sorted(pending.items()):
            StockInLine.objects.create(stock_in=stock_in, line_id=line_id, quantity=quantity)
        _set_status(request, S.STOCKED_IN)
        add_event(request, verb="stocked_in", actor=actor, now=now,
                  message=_("Stock-in %(no)s: %(count)d item(s) into %(location)s")
                  % {"no": stock_in.number, "count": sum(pending.values()), "location": stock_in.location},
                  data={"stock_in": stock_in.pk})
        # Sent INSIDE the stock-in transaction (PRC-17): the receivers (assets, consumables)
        # create the asset cards / stock in the same transaction, so a failure of theirs rolls
        # the stock-in back and a stock-in never leaves an orphan purchase.
        _stocked_in_signal(stock_in)
    return stock_in


def _stocked_in_signal(stock_in: StockIn) -> None:
    from .signals import stock_in_created

    stock_in_created.send(sender=StockIn, stock_in=stock_in)


def record_reimbursement(*, request: PurchaseRequest, actor, amount, invoice_no: str,
                         reimbursed_on: datetime.date, notes: str = "", now=None) -> Reimbursement:
    """Record reimbursement with the VAT invoice; refused before stock-in (PRC-13, 篇6 第三条(24))."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "reimburse")
        amount = _money(amount, field=_("Amount"), allow_zero=False)
        order = PurchaseOrder.objects.filter(request=request).first()
        if order is not None and amount > order.amount:
            raise RuleViolation(
                _("The reimbursed amount ¥%(amount)s exceeds the contract amount ¥%(contract)s.")
                % {"amount": amount, "contract": order.amount}, code="over_contract", article="篇6 第三条(24)",
            )
        invoice_no = (invoice_no or "").strip()
        if not invoice_no:
            raise RuleViolation(_("The VAT invoice number is required (篇6 第三条(24))."), code="required",
                                article="篇6 第三条(24)")
        if reimbursed_on is None:
            raise RuleViolation(_("The reimbursement date is required."), code="required")
        reimbursement = Reimbursement.objects.create(
            request=request, amount=amount, invoice_no=invoice_no[:60], reimbursed_on=reimbursed_on,
            notes=(notes or "").strip(), recorded_by=_user(actor),
        )
        _set_status(request, S.REIMBURSED)
        add_event(request, verb="reimbursed", actor=actor, now=now,
                  message=_("Reimbursed ¥%(amount)s, invoice %(no)s") % {"amount": amount, "no": invoice_no})
    return reimbursement


def close_request(*, request: PurchaseRequest, actor, now=None) -> PurchaseRequest:
    """Close a reimbursed purchase (the file is complete)."""
    with transaction.atomic():
        request = _lock(request)
        workflows.check(request, "close")
        _set_status(request, S.CLOSED, now=now)
        add_event(request, verb="closed", actor=actor, now=now)
    return request


# --- Self-purchase filing (PRC-02, PRC-07) ------------------------------------------------

FILING_FIELDS = ("item", "model_name", "performance", "manufacturer", "supplier", "software_info")


def _filing_fields(filing: SelfPurchaseFiling, *, item, category, model_name, performance, manufacturer, supplier,
                   purchase_date, software_info, quantity, amount) -> None:
    filing.item = (item or "").strip()[:200]
    filing.category = category if category in LineCategory.values else LineCategory.OTHER
    filing.model_name = (model_name or "").strip()[:200]
    filing.performance = (performance or "").strip()
    filing.manufacturer = (manufacturer or "").strip()[:200]
    filing.supplier = (supplier or "").strip()[:200]
    filing.purchase_date = purchase_date
    filing.software_info = (software_info or "").strip()
    try:
        filing.quantity = int(quantity)
    except (TypeError, ValueError):
        filing.quantity = 0
    filing.amount = None if amount in (None, "") else _money(amount, field=_("Amount"))
    labels = {
        "item": _("Item"), "model_name": _("Model"), "performance": _("Performance data"),
        "manufacturer": _("Manufacturer"), "supplier": _("Supplier"), "software_info": _("Software information"),
    }
    errors = {f: [_("%(field)s is required for filing (PRC-07, 篇14/5 第十条).") % {"field": labels[f]}]
              for f in FILING_FIELDS if not getattr(filing, f)}
    if filing.purchase_date is None:
        errors["purchase_date"] = [_("Purchase date is required for filing (PRC-07, 篇14/5 第十条).")]
    if filing.quantity <= 0:
        errors["quantity"] = [_("The quantity must be greater than zero.")]
    if errors:
        raise workflows.MissingFields(errors, article="篇14/5 第十条")


def register_self_purchase(*, actor, registered_by, item: str, model_name: str, performance: str,
                           manufacturer: str, supplier: str, purchase_date: datetime.date, software_info: str,
                           category: str = LineCategory.COMPUTER, quantity: int = 1, amount=None, department=None,
                           now=None) -> SelfPurchaseFiling:
    """Register a department's own IT purchase for filing with the IT authority (PRC-02, 篇1 第九条(1))."""
    with transaction.atomic():
        filing = SelfPurchaseFiling(department=department or registered_by.department, registered_by=registered_by)
        _filing_fields(filing, item=item, category=category, model_name=model_name, performance=performance,
                       manufacturer=manufacturer, supplier=supplier, purchase_date=purchase_date,
                       software_info=software_info, quantity=quantity, amount=amount)
        year = (now or timezone.now()).astimezone(timezone.get_current_timezone()).year
        filing.number = next_number("BA", year=year)
        filing.save()
        add_event(filing, verb="registered", actor=actor, now=now)
    return filing


def update_self_purchase(*, filing: SelfPurchaseFiling, actor, item: str, model_name: str, performance: str,
                         manufacturer: str, supplier: str, purchase_date: datetime.date, software_info: str,
                         category: str = LineCategory.COMPUTER, quantity: int = 1, amount=None) -> SelfPurchaseFiling:
    with transaction.atomic():
        filing = SelfPurchaseFiling.objects.select_for_update().get(pk=filing.pk)
        if filing.status != FilingStatus.UNFILED:
            raise Conflict(_("A filed self-purchase can no longer be changed."), code="invalid_transition")
        _filing_fields(filing, item=item, category=category, model_name=model_name, performance=performance,
                       manufacturer=manufacturer, supplier=supplier, purchase_date=purchase_date,
                       software_info=software_info, quantity=quantity, amount=amount)
        filing.save()
    return filing


def file_self_purchase(*, filing: SelfPurchaseFiling, actor, note: str = "", now=None) -> SelfPurchaseFiling:
    """The IT authority accepts the filing (备案) (PRC-02, PRC-07)."""
    with transaction.atomic():
        filing = SelfPurchaseFiling.objects.select_for_update().get(pk=filing.pk)
        if filing.status != FilingStatus.UNFILED:
            raise Conflict(_("This self-purchase is already filed."), code="invalid_transition")
        filing.status = FilingStatus.FILED
        filing.filed_by = _user(actor)
        filing.filed_at = now or timezone.now()
        filing.filing_note = (note or "").strip()
        filing.save()
        add_event(filing, verb="filed", actor=actor, message=filing.filing_note, now=now)
    return filing
