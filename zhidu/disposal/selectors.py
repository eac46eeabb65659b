"""Read queries of disposal, reused by views, API, reports, other apps and compliance checks."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from zhidu.assets.choices import AssetStatus, CategoryKind

from .choices import OPEN_STATUSES, LineOutcome

#: Categories whose devices store data: a sanitisation record is required before disposal
#: (DSP-07, 篇13 3②). Office devices only when the card says they have a disk.
DATA_KINDS = {CategoryKind.COMPUTER, CategoryKind.SERVER, CategoryKind.DIGITAL}
DISK_ATTRIBUTES = ("has_disk", "disk", "hard_disk", "hdd", "storage")


def approver_request_ids_q(person_id: int) -> Q:
    """Requests on which the person holds (or held) an approval task, directly or acting for someone."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    from zhidu.core.approvals.models import ApprovalTask

    from .models import ScrapRequest

    ct = ContentType.objects.get_for_model(ScrapRequest)
    ids = (
        ApprovalTask.objects.filter(request__content_type=ct)
        .filter(Q(assignee_id=person_id) | Q(acting_for_id=person_id))
        .annotate(subject_pk=Cast("request__object_id", output_field=BigIntegerField()))
        .values("subject_pk")
    )
    return Q(pk__in=ids)


def stores_data(asset) -> bool:
    """Whether the asset may hold data and so needs a sanitisation record (DSP-07, 篇13 3②).

    Computers, servers/storage and digital devices always; office devices (printers, copiers)
    when their card fields say they have a disk (`has_disk`, `disk`, `hard_disk`, `hdd`, `storage`).
    """
    kind = asset.category.kind
    if kind in DATA_KINDS:
        return True
    if kind == CategoryKind.OFFICE:
        attributes = asset.attributes or {}
        return any(bool(attributes.get(key)) and str(attributes.get(key)).lower() not in ("0", "false", "no", "否", "无")
                   for key in DISK_ATTRIBUTES)
    return False


def is_disposal_locked(asset) -> bool:
    """DSP-08 (篇14/5 第十一条; 篇1 第三十一条): an asset awaiting disposal or disposed cannot be
    issued, loaned or reallocated. Also locked: an asset approved for scrapping that the IT
    authority has not recovered yet. The custody services call this before issuing/loaning."""
    if asset.status in (AssetStatus.TO_DISPOSE, AssetStatus.DISPOSED):
        return True
    from .models import ScrapLine

    return ScrapLine.objects.filter(asset_id=asset.pk, outcome=LineOutcome.APPROVED).exists()


def open_line_for(asset_id: int, *, exclude_request_id: int | None = None):
    """The line of a running request that holds this asset, if any (one asset, one running request)."""
    from .models import ScrapLine

    qs = ScrapLine.objects.filter(asset_id=asset_id, request__status__in=OPEN_STATUSES).exclude(
        outcome__in=(LineOutcome.TO_REPAIR, LineOutcome.NOT_APPROVED)).select_related("request")
    if exclude_request_id is not None:
        qs = qs.exclude(request_id=exclude_request_id)
    return qs.first()


def request_list(user):
    from .models import ScrapRequest

    return ScrapRequest.objects.restrict(user, "view").select_related("requester", "department")


def pickable_assets(user, *, q: str = "", limit: int = 20):
    """Assets the user may put on a scrapping request: in scope, not disposed/awaiting disposal."""
    from zhidu.assets.models import Asset

    qs = Asset.objects.restrict(user, "view").exclude(
        status__in=(AssetStatus.TO_DISPOSE, AssetStatus.DISPOSED)).select_related("category", "department")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(name__icontains=q) | Q(serial_number__icontains=q))
    return qs.order_by("number")[:limit]


def disposals_by_year(user) -> list[dict]:
    """Disposed items per year (DSP report, issue #3 dashboards "disposals by year"): items, proceeds."""
    from .models import DisposalRecord, ScrapLine

    records = DisposalRecord.objects.restrict(user, "view")
    items = dict(
        ScrapLine.objects.filter(disposal__in=records.values("pk"))
        .annotate(year=ExtractYear("disposal__disposed_on")).values("year")
        .annotate(n=Count("id")).values_list("year", "n")
    )
    rows = (records.annotate(year=ExtractYear("disposed_on")).values("year")
            .annotate(records=Count("id"), proceeds=Sum("proceeds")).order_by("year"))
    return [{"year": r["year"], "records": r["records"], "items": items.get(r["year"], 0),
             "proceeds": r["proceeds"]} for r in rows]
