"""Read queries of procurement, reused by views, the API, reports and compliance checks."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, Sum

from .choices import FilingStatus, RequestStatus
from .models import (
    Acceptance,
    AcceptanceLine,
    PurchaseLine,
    PurchaseRequest,
    SelfPurchaseFiling,
    StockIn,
    StockInLine,
)


def approver_request_ids_q(person_id: int) -> Q:
    """Requests on which the person holds (or held) an approval task, directly or acting for someone."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    from zhidu.core.approvals.models import ApprovalTask

    ct = ContentType.objects.get_for_model(PurchaseRequest)
    ids = (
        ApprovalTask.objects.filter(request__content_type=ct)
        .filter(Q(assignee_id=person_id) | Q(acting_for_id=person_id))
        .annotate(subject_pk=Cast("request__object_id", output_field=BigIntegerField()))
        .values("subject_pk")
    )
    return Q(pk__in=ids)


def request_list(user):
    """Requests the user may see, with what a list row shows (fixed number of queries)."""
    return PurchaseRequest.objects.restrict(user, "view").select_related("requester", "department")


def request_detail_queryset(user):
    return (
        PurchaseRequest.objects.restrict(user, "view")
        .select_related("requester", "department", "created_by", "order", "reimbursement", "quotation_waiver",
                        "order__quotation")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseLine.objects.order_by("position", "id")),
            "quotations",
            Prefetch("acceptances", queryset=Acceptance.objects.select_related("accepted_by", "recorded_by")
                     .prefetch_related(Prefetch("lines", queryset=AcceptanceLine.objects.select_related("line")))),
            Prefetch("stock_ins", queryset=StockIn.objects.select_related("received_by")
                     .prefetch_related(Prefetch("lines", queryset=StockInLine.objects.select_related("line")))),
        )
    )


def my_requests(person, *, limit: int = 8):
    """The person's latest requests, for the home panel (one query)."""
    if person is None:
        return PurchaseRequest.objects.none()
    return (
        PurchaseRequest.objects.filter(requester=person)
        .select_related("department")
        .only("id", "number", "title", "status", "total_amount", "created", "department__name", "kind")
        .order_by("-id")[:limit]
    )


def line_progress(request) -> list[dict]:
    """Per line: ordered, accepted, rejected, stocked in (for the detail page and the acceptance form)."""
    accepted = {
        row["line_id"]: row
        for row in AcceptanceLine.objects.filter(acceptance__request=request).values("line_id")
        .annotate(accepted=Sum("accepted_quantity"), rejected=Sum("rejected_quantity"))
    }
    stocked = dict(
        StockInLine.objects.filter(stock_in__request=request).values("line_id").annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    result = []
    for line in request.lines.all():
        acc = accepted.get(line.pk, {})
        accepted_qty = acc.get("accepted") or 0
        result.append({
            "line": line,
            "ordered": line.quantity,
            "accepted": accepted_qty,
            "rejected": acc.get("rejected") or 0,
            "outstanding": line.quantity - accepted_qty,
            "stocked": stocked.get(line.pk) or 0,
        })
    return result


def awaiting_filing(user):
    """Self-purchases not yet filed with the IT authority (PRC-02: listed until filed)."""
    return (
        SelfPurchaseFiling.objects.restrict(user, "view").filter(status=FilingStatus.UNFILED)
        .select_related("department", "registered_by")
    )


def filing_list(user):
    return SelfPurchaseFiling.objects.restrict(user, "view").select_related("department", "registered_by")


def open_purchases_count(user) -> int:
    return request_list(user).exclude(
        status__in=[RequestStatus.CLOSED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN, RequestStatus.REALLOCATED]
    ).count()
