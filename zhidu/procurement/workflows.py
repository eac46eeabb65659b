"""The purchase-request lifecycle: statuses, the explicit transition map, and the guards.

    draft ──submit──▶ submitted (in approval) ──▶ approved | rejected | returned | withdrawn
    returned ──edit, submit──▶ submitted            approved (choice 调剂) ──▶ reallocated
    approved ──quotation / waiver──▶ quoting ──order──▶ ordered ──acceptance──▶
        partially_accepted | accepted ──stock-in──▶ stocked_in ──reimburse──▶ reimbursed ──close──▶ closed

A transition is refused with `Conflict` (API 409) when the request is not in one of its source
statuses, and with `RuleViolation` (API 400) when a guard of the regulation fails; guards cite
their article. Services call `check(request, name)` before changing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import Conflict, RuleViolation

from .choices import INFRASTRUCTURE_CATEGORIES, RequestStatus

S = RequestStatus


class MissingFields(RuleViolation):
    """Submission refused because mandatory content is missing; `errors` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]], *, article: str = ""):
        message = "; ".join(m for messages in errors.values() for m in messages)
        super().__init__(message, code="required", article=article)
        self.errors = errors


@dataclass(frozen=True)
class Transition:
    """One step of the lifecycle: from which statuses, to which, who may take it, and guards.

    `action` is the scoping action checked with `PurchaseRequest.objects.restrict(user, action)`.
    `target` None means the service decides (e.g. accepted vs partially accepted).
    """

    name: str
    label: object
    sources: frozenset[str]
    target: str | None
    action: str
    guards: tuple[Callable, ...] = field(default_factory=tuple)
    by_engine: bool = False  # taken by the approval engine's callbacks, not by a button


# --- Guards -------------------------------------------------------------------------------


def guard_has_lines(request, **ctx):
    if not request.lines.exists():
        raise RuleViolation(
            _("The request has no lines: add at least one item before submitting (PRC-04, 篇14/5 第九条)."),
            code="no_lines", article="篇14/5 第九条",
        )


def guard_required_content(request, **ctx):
    """PRC-04 (篇14/5 第九条, N31): purpose, software, quantity and configuration standard are mandatory."""
    errors: dict[str, list[str]] = {}
    if not (request.title or "").strip():
        errors["title"] = [_("Title is required.")]
    if not (request.purpose or "").strip():
        errors["purpose"] = [_("Purpose of use is required (篇14/5 第九条).")]
    if not (request.software_needs or "").strip():
        errors["software_needs"] = [_("Software to be used is required (篇14/5 第九条); write “无” if none.")]
    if not (request.configuration_standard or "").strip():
        errors["configuration_standard"] = [_("Configuration standard is required (篇14/5 第九条).")]
    bad_quantity = [line for line in request.lines.all() if not line.quantity or line.quantity <= 0]
    if bad_quantity:
        errors["lines"] = [_("Every line needs a quantity greater than zero (篇14/5 第九条).")]
    if request.deviates_from_standard and not (request.deviation_justification or "").strip():
        errors["deviation_justification"] = [
            _("A deviation from the standard configuration needs a justification (PRC-15, 篇10 第三章第一条).")
        ]
    if errors:
        raise MissingFields(errors, article="篇14/5 第九条")


def infrastructure_allowed(request) -> bool:
    """PRC-09: only requesters in the IT authority (or under it) may request infrastructure."""
    from zhidu.org.models import OrgUnit

    unit = request.department
    if unit is None:
        return False
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids() or [unit.pk], is_it_authority=True).exists()


def guard_infrastructure(request, *, categories=None, **ctx):
    """PRC-09 (篇2 第八条; 篇8 三(2)): servers, storage and core network equipment are declared
    centrally by the IT authority; other departments cannot request them directly."""
    from .params import value

    if not value("procurement.restrict_infrastructure"):
        return
    if categories is None:
        categories = set(request.lines.values_list("category", flat=True))
    if set(categories) & INFRASTRUCTURE_CATEGORIES and not infrastructure_allowed(request):
        raise RuleViolation(
            _("Servers, storage and core network equipment are declared centrally by the IT authority; "
              "your department cannot request them directly (PRC-09, 篇2 第八条)."),
            code="infrastructure_restricted", article="篇2 第八条",
        )


def guard_quotations(request, **ctx):
    """PRC-11 (篇6 第三条(7), N37): at least N suppliers compared, or a recorded waiver."""
    from .params import value

    minimum = value("procurement.min_quotations")
    count = request.quotations.count()
    if count >= minimum:
        return
    from .models import QuotationWaiver

    if QuotationWaiver.objects.filter(request=request).exists():
        return
    raise RuleViolation(
        _("At least %(min)d supplier quotations are needed before ordering (货比三家, PRC-11, 篇6 第三条(7)); "
          "%(count)d recorded. Add quotations or record a waiver with its reason.")
        % {"min": minimum, "count": count},
        code="quotations_missing", article="篇6 第三条(7)",
    )


def guard_order_amount(request, *, amount=None, **ctx):
    """篇1 第九条(2): the single contract may not exceed the amount that was approved."""
    if amount is None or request.routing_amount is None:
        return
    if amount > request.routing_amount:
        raise RuleViolation(
            _("The contract amount ¥%(amount)s exceeds the approved amount ¥%(approved)s; a larger contract "
              "needs a new approval (篇1 第九条(2)).") % {"amount": amount, "approved": request.routing_amount},
            code="contract_over_approved", article="篇1 第九条(2)",
        )


def outstanding_quantities(request) -> dict[int, int]:
    """Per line id: the quantity not yet accepted (ordered − accepted so far)."""
    from .models import AcceptanceLine

    accepted = dict(
        AcceptanceLine.objects.filter(acceptance__request=request)
        .values("line_id").annotate(total=Sum("accepted_quantity")).values_list("line_id", "total")
    )
    return {line.pk: line.quantity - (accepted.get(line.pk) or 0) for line in request.lines.all()}


def unstocked_quantities(request) -> dict[int, int]:
    """Per line id: the quantity accepted but not yet taken into stock (PRC-17)."""
    from .models import AcceptanceLine, StockInLine

    accepted = dict(
        AcceptanceLine.objects.filter(acceptance__request=request)
        .values("line_id").annotate(total=Sum("accepted_quantity")).values_list("line_id", "total")
    )
    stocked = dict(
        StockInLine.objects.filter(stock_in__request=request)
        .values("line_id").annotate(total=Sum("quantity")).values_list("line_id", "total")
    )
    return {
        line_id: (qty or 0) - (stocked.get(line_id) or 0)
        for line_id, qty in accepted.items()
        if (qty or 0) - (stocked.get(line_id) or 0) > 0
    }


def guard_something_outstanding(request, **ctx):
    if not any(q > 0 for q in outstanding_quantities(request).values()):
        raise Conflict(_("Every ordered item has already been accepted."), code="nothing_outstanding",
                       article="篇6 第三条(23)")


def guard_something_to_stock(request, **ctx):
    if not unstocked_quantities(request):
        raise Conflict(_("There are no accepted items waiting to be stocked in."), code="nothing_to_stock",
                       article="篇6 第三条(24)")


def guard_stocked_in(request, **ctx):
    """PRC-13 (篇6 第三条(24)): reimbursement only after the goods are taken into stock."""
    if not request.stock_ins.exists():
        raise RuleViolation(
            _("Reimbursement is refused until the goods have been stocked in (入库单): every purchased item must "
              "first be taken into stock or capitalised (PRC-13, 篇6 第三条(24))."),
            code="not_stocked_in", article="篇6 第三条(24)",
        )


def guard_all_accepted_stocked(request, **ctx):
    """PRC-17 (篇6 第三条(24)): no accepted item may be left without a stock-in."""
    if unstocked_quantities(request):
        raise RuleViolation(
            _("Some accepted items have not been stocked in yet; stock them in before reimbursement "
              "(PRC-17, 篇6 第三条(24))."),
            code="accepted_not_stocked", article="篇6 第三条(24)",
        )


# --- The transition map --------------------------------------------------------------------

EDITABLE = frozenset({S.DRAFT, S.RETURNED})
PURCHASE_STAGES = frozenset({S.APPROVED, S.QUOTING, S.ORDERED, S.PARTIALLY_ACCEPTED, S.ACCEPTED, S.STOCKED_IN})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("edit", gettext_lazy("Edit"), EDITABLE, None, "change"),
        Transition("submit", gettext_lazy("Submit for approval"), EDITABLE, S.SUBMITTED, "submit",
                   (guard_has_lines, guard_required_content, guard_infrastructure)),
        Transition("withdraw", gettext_lazy("Withdraw"), frozenset({S.DRAFT, S.RETURNED, S.SUBMITTED}),
                   S.WITHDRAWN, "submit"),
        Transition("approve", gettext_lazy("Approve"), frozenset({S.SUBMITTED}), S.APPROVED, "view", by_engine=True),
        Transition("reallocate", gettext_lazy("Reallocate"), frozenset({S.SUBMITTED}), S.REALLOCATED, "view",
                   by_engine=True),
        Transition("reject", gettext_lazy("Reject"), frozenset({S.SUBMITTED}), S.REJECTED, "view", by_engine=True),
        Transition("return", gettext_lazy("Return for changes"), frozenset({S.SUBMITTED}), S.RETURNED, "view",
                   by_engine=True),
        Transition("add_quotation", gettext_lazy("Add quotation"), frozenset({S.APPROVED, S.QUOTING}), S.QUOTING,
                   "process"),
        Transition("waive_quotations", gettext_lazy("Waive quotations"), frozenset({S.APPROVED, S.QUOTING}),
                   S.QUOTING, "process"),
        Transition("order", gettext_lazy("Create order"), frozenset({S.APPROVED, S.QUOTING}), S.ORDERED, "process",
                   (guard_quotations, guard_order_amount)),
        Transition("accept", gettext_lazy("Record acceptance"),
                   frozenset({S.ORDERED, S.PARTIALLY_ACCEPTED, S.STOCKED_IN}), None, "process",
                   (guard_something_outstanding,)),
        Transition("stock_in", gettext_lazy("Stock in"), frozenset({S.PARTIALLY_ACCEPTED, S.ACCEPTED}),
                   S.STOCKED_IN, "process", (guard_something_to_stock,)),
        # Reimbursement is attempted from any purchase stage so that, before stock-in, the answer
        # is the rule of PRC-13 rather than a bare "wrong status".
        Transition("reimburse", gettext_lazy("Record reimbursement"), PURCHASE_STAGES, S.REIMBURSED,
                   "reimburse", (guard_stocked_in, guard_all_accepted_stocked)),
        Transition("close", gettext_lazy("Close"), frozenset({S.REIMBURSED}), S.CLOSED, "process"),
    ]
}

# Statuses a request can reach from each status (for documentation and tests).
STATUS_GRAPH: dict[str, set[str]] = {}
for _t in TRANSITIONS.values():
    for _s in _t.sources:
        targets = STATUS_GRAPH.setdefault(_s, set())
        if _t.target and _t.target != _s:
            targets.add(_t.target)
        elif _t.name == "accept":
            targets.update({S.PARTIALLY_ACCEPTED, S.ACCEPTED})
TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.REALLOCATED, S.CLOSED})


def check(request, name: str, **ctx) -> Transition:
    """Raise Conflict if `name` is not possible from the current status, RuleViolation if a guard fails.

    For reimbursement the PRC-13 guard runs first, so an attempt before stock-in always cites
    the article whatever stage the purchase is in.
    """
    transition = TRANSITIONS[name]
    if name == "reimburse" and request.status in PURCHASE_STAGES:
        guard_stocked_in(request)
    if request.status not in transition.sources:
        raise Conflict(
            _("“%(action)s” is not possible while the request is %(status)s.")
            % {"action": transition.label, "status": request.get_status_display()},
            code="invalid_transition",
        )
    if name == "reimburse" and request.status != S.STOCKED_IN:
        guard_all_accepted_stocked(request)
        raise Conflict(_("Reimbursement is recorded after stock-in."), code="invalid_transition",
                       article="篇6 第三条(24)")
    for guard in transition.guards:
        guard(request, **ctx)
    return transition


def possible(request, name: str) -> bool:
    """Whether `name` is possible now (status and guards), without raising."""
    try:
        check(request, name)
    except RuleViolation:
        return False
    return True


def status_allows(request, name: str) -> bool:
    """Whether the status alone allows `name` (for buttons whose guards need the form's input)."""
    return request.status in TRANSITIONS[name].sources
