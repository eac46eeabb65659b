"""The asset lifecycle: statuses, the explicit transition map, and the guards (AST-03 … AST-19).

    in_stock ──issue (letter signed)──▶ in_use ──return──▶ return_pending ──check──▶ in_stock
    in_stock ──loan approved──▶ on_loan ──return──▶ return_pending ──check──▶ in_stock
    in_use ──custodian change (letter signed)──▶ in_use (new custodian, AST-09)
    in_stock | in_use | on_loan | in_repair ──loss/theft recorded──▶ lost
    in_stock ──reallocation (调剂)──▶ in_stock (other department, AST-15)

Status and custodian change only through `zhidu.assets.services` (never by editing the card).
A transition is refused with `Conflict` (API 409) when the asset is not in one of its source
statuses; guards of the regulation raise `RuleViolation` (API 400) citing their article.
Other areas (repair, stock-take, disposal) add their transitions with `register()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import Conflict, RuleViolation

from .choices import AssetStatus

S = AssetStatus

#: Statuses in which a person holds a device (clearance, AST-07).
HELD_STATUSES = (S.IN_USE, S.ON_LOAN, S.RETURN_PENDING)


@dataclass(frozen=True)
class Transition:
    """One step of the asset lifecycle; `target` None keeps the status (e.g. custodian change)."""

    name: str
    label: object
    sources: frozenset[str]
    target: str | None
    guards: tuple[Callable, ...] = field(default_factory=tuple)


# --- Guards -------------------------------------------------------------------------------


def guard_not_reserved(asset, *, exclude_issue=None, **ctx):
    """An in-stock device waiting in another unsigned issue is reserved for it (AST-03)."""
    from .models import AssetIssue, AssetIssueLine

    pending = AssetIssueLine.objects.filter(asset=asset, issue__status=AssetIssue.Status.AWAITING)
    if exclude_issue is not None:
        pending = pending.exclude(issue=exclude_issue)
    line = pending.select_related("issue").first()
    if line is not None:
        raise Conflict(
            _("%(asset)s is already in issue %(number)s, waiting for its responsibility letter to be signed.")
            % {"asset": asset, "number": line.issue.number},
            code="reserved",
        )


def guard_no_pending_loan(asset, **ctx):
    from .models import AssetLoan

    if AssetLoan.objects.filter(asset=asset, status=AssetLoan.Status.PENDING).exists():
        raise Conflict(_("%(asset)s has a loan request in approval.") % {"asset": asset}, code="loan_pending")


def guard_has_custodian(asset, **ctx):
    if asset.custodian_id is None:
        raise RuleViolation(
            _("%(asset)s has no personal custodian; public equipment is managed by the IT authority (AST-05).")
            % {"asset": asset},
            code="no_custodian",
        )


def guard_no_open_change(asset, **ctx):
    from .models import CustodianChange

    open_change = CustodianChange.objects.filter(
        asset=asset, status__in=[CustodianChange.Status.REQUESTED, CustodianChange.Status.AWAITING]
    ).first()
    if open_change is not None:
        raise Conflict(
            _("%(asset)s already has a custodian change in progress (%(change)s).")
            % {"asset": asset, "change": open_change},
            code="change_open",
        )


def guard_replacement_returned(asset, *, person=None, **ctx):
    """AST-04, 篇1 第九条(4): a replacement is issued only after the old device and its accessories
    have been returned and checked complete. `asset` here is the OLD device."""
    from .models import AssetReturn

    last = AssetReturn.objects.filter(asset=asset).order_by("-id").first()
    if asset.status in HELD_STATUSES or last is None or last.status != AssetReturn.Status.COMPLETE:
        raise RuleViolation(
            _("A replacement for %(asset)s can be issued only after the old device and all its accessories have "
              "been returned and checked complete (篇1 第九条(4)).") % {"asset": asset},
            code="replacement_not_returned", article="篇1 第九条(4)",
        )


TRANSITIONS: dict[str, Transition] = {}


def register(transition: Transition, *, replace: bool = False) -> None:
    """Add a transition (repair, stock-take and disposal areas add theirs)."""
    if transition.name in TRANSITIONS and not replace:
        raise ValueError(f"asset transition {transition.name!r} already registered")
    TRANSITIONS[transition.name] = transition


for _t in (
    Transition("issue", gettext_lazy("Issue (领用)"), frozenset({S.IN_STOCK}), S.IN_USE,
               (guard_not_reserved, guard_no_pending_loan)),
    Transition("return", gettext_lazy("Return (交回)"), frozenset({S.IN_USE, S.ON_LOAN}), S.RETURN_PENDING,
               (guard_has_custodian,)),
    Transition("check_return", gettext_lazy("Check the return"), frozenset({S.RETURN_PENDING}), S.IN_STOCK),
    Transition("change_custodian", gettext_lazy("Custodian change (使用变更)"), frozenset({S.IN_USE}), None,
               (guard_has_custodian,)),
    Transition("loan", gettext_lazy("Loan (借用)"), frozenset({S.IN_STOCK}), S.ON_LOAN,
               (guard_not_reserved,)),
    Transition("reallocate", gettext_lazy("Reallocation (调剂)"), frozenset({S.IN_STOCK}), None,
               (guard_not_reserved, guard_no_pending_loan)),
    Transition("lose", gettext_lazy("Loss or theft"), frozenset({S.IN_STOCK, S.IN_USE, S.ON_LOAN, S.IN_REPAIR}),
               S.LOST),
):
    register(_t, replace=True)


def add_guard(name: str, guard: Callable) -> None:
    """Let another area refuse a transition, e.g. disposal locks an asset approved for scrapping
    against issue, loan and reallocation (DSP-08), without the assets app importing disposal."""
    transition = TRANSITIONS[name]
    if guard not in transition.guards:
        TRANSITIONS[name] = replace(transition, guards=(*transition.guards, guard))


def allowed(asset, name: str) -> bool:
    transition = TRANSITIONS.get(name)
    return transition is not None and asset.status in transition.sources


def check(asset, name: str, **ctx) -> Transition:
    """Refuse `name` on `asset` unless its status allows it and every guard passes."""
    transition = TRANSITIONS[name]
    if asset.status not in transition.sources:
        raise Conflict(
            _("%(asset)s is “%(status)s”: “%(action)s” is not possible now.")
            % {"asset": asset, "status": S(asset.status).label, "action": transition.label},
            code="invalid_status",
        )
    for guard in transition.guards:
        guard(asset, **ctx)
    return transition
