"""The scrapping-request lifecycle (DSP-02, DSP-04, VAR-05): statuses, transitions, guards.

    draft ──submit──▶ appraisal ──appraise──▶ approval (VAR-05 policy) ──▶ approved | rejected | returned
                                     └── every item "repair" ──▶ repair (closed)
    returned ──edit, submit──▶ appraisal          draft/returned/appraisal/approval ──withdraw──▶ withdrawn
    approved ──recover──▶ recovered ──sanitise (per item), dispose (per batch)──▶ disposed

A transition out of its source statuses is refused with `Conflict` (API 409); a guard of the
regulation with `RuleViolation` (API 400), citing its article.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import Conflict

from .choices import ScrapStatus

S = ScrapStatus


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    action: str  # the scoping action checked with ScrapRequest.objects.restrict(user, action)


def _t(name, label, sources, action):
    return Transition(name, label, frozenset(str(s) for s in sources), action)


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("edit", gettext_lazy("Edit"), (S.DRAFT, S.RETURNED), "change"),
    _t("delete", gettext_lazy("Delete draft"), (S.DRAFT,), "delete"),
    _t("submit", gettext_lazy("Submit"), (S.DRAFT, S.RETURNED), "submit"),
    _t("withdraw", gettext_lazy("Withdraw"), (S.DRAFT, S.RETURNED, S.APPRAISAL, S.APPROVAL), "submit"),
    _t("appraise", gettext_lazy("Appraise"), (S.APPRAISAL,), "appraise"),
    _t("approve", gettext_lazy("Approve"), (S.APPROVAL,), "view"),
    _t("reject", gettext_lazy("Reject"), (S.APPROVAL,), "view"),
    _t("return", gettext_lazy("Return"), (S.APPROVAL,), "view"),
    _t("recover", gettext_lazy("Recover the items"), (S.APPROVED,), "process"),
    _t("sanitise", gettext_lazy("Record data sanitisation"), (S.RECOVERED,), "process"),
    _t("dispose", gettext_lazy("Record disposal"), (S.RECOVERED,), "process"),
]}


def status_allows(request, name: str) -> bool:
    return request.status in TRANSITIONS[name].sources


def check(request, name: str) -> None:
    """Refuse (Conflict, 409) a transition the request's status does not allow."""
    if not status_allows(request, name):
        raise Conflict(
            _("%(number)s is “%(status)s”: “%(action)s” is not possible now.")
            % {"number": request.number, "status": request.get_status_display(),
               "action": TRANSITIONS[name].label},
            code="invalid_status",
        )
