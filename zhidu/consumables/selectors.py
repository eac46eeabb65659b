"""Read-side queries of consumables: periods, balances and their verification, quota use,
usage ledger (CON-06), quota review (CON-07), plan sizing figures (N05/N06), low stock."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import STOCK_KINDS, MovementKind, MovementStatus, PeriodKind
from .models import ConsumableItem, Movement, Need, Quota, StockBalance

USAGE_KINDS = (MovementKind.ISSUE, MovementKind.RETURN)


# --- periods -------------------------------------------------------------------------------


def period_start(kind: str, day: datetime.date) -> datetime.date:
    if kind == PeriodKind.QUARTER:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_months(kind: str) -> int:
    return 3 if kind == PeriodKind.QUARTER else 1


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The first day after the period."""
    return add_months(start, period_months(kind))


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def local_today(now=None) -> datetime.date:
    return timezone.localtime(now or timezone.now()).date()


def period_label(kind: str, start: datetime.date) -> str:
    if kind == PeriodKind.QUARTER:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


# --- balances ------------------------------------------------------------------------------


def stock_of(item) -> int:
    return StockBalance.objects.filter(item=item).aggregate(total=Coalesce(Sum("quantity"), 0))["total"]


def stock_totals() -> dict[int, int]:
    """Total stock per item id (all locations)."""
    return dict(StockBalance.objects.values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total"))


def recomputed_balances() -> dict[tuple[int, int], int]:
    """Balances recomputed from the posted movements: (item_id, location_id) → quantity."""
    rows = (Movement.objects.filter(status=MovementStatus.POSTED, kind__in=list(STOCK_KINDS))
            .values("item_id", "location_id").annotate(total=Sum("quantity")))
    return {(r["item_id"], r["location_id"]): r["total"] for r in rows if r["total"]}


def verify_balances() -> list[dict]:
    """Every (item, location) whose maintained balance disagrees with its movements (empty: all agree)."""
    expected = recomputed_balances()
    held = {(b.item_id, b.location_id): b.quantity for b in StockBalance.objects.all()}
    problems = []
    for key in sorted(set(expected) | set(held)):
        if expected.get(key, 0) != held.get(key, 0):
            problems.append({"item": key[0], "location": key[1], "balance": held.get(key, 0),
                             "movements": expected.get(key, 0)})
    return problems


def low_stock(queryset=None):
    """Active items whose total stock is at or below their reorder level, with `stock_total`."""
    qs = queryset if queryset is not None else ConsumableItem.objects.all()
    return (qs.filter(is_active=True)
            .annotate(stock_total=Coalesce(Sum("balances__quantity"), 0))
            .filter(stock_total__lte=F("reorder_level")).order_by("category", "code"))


# --- quotas ---------------------------------------------------------------------------------


@dataclass
class QuotaUse:
    quota: Quota
    used: int
    remaining: int

    @property
    def label(self) -> str:
        return str(self.quota.item or self.quota.get_category_display())


def used_in_period(*, department, start: datetime.date, end: datetime.date, item=None, category: str = "",
                   include_pending: bool = True) -> int:
    """Net quantity issued to `department` in [start, end) (issues minus returns), as a positive number."""
    statuses = [MovementStatus.POSTED] + ([MovementStatus.PENDING] if include_pending else [])
    qs = Movement.objects.filter(department=department, kind__in=USAGE_KINDS, status__in=statuses,
                                 occurred_at__gte=_aware(start), occurred_at__lt=_aware(end))
    qs = qs.filter(item=item) if item is not None else qs.filter(item__category=category)
    return -(qs.aggregate(total=Coalesce(Sum("quantity"), 0))["total"])


def quotas_for(*, department, item, day: datetime.date) -> list[QuotaUse]:
    """The quotas (item or its category) of `department` whose period contains `day`, with their use."""
    condition = Q()
    for kind in PeriodKind.values:
        condition |= Q(period_kind=kind, period_start=period_start(kind, day))
    quotas = (Quota.objects.filter(condition, department=department)
              .filter(Q(item=item) | Q(item__isnull=True, category=item.category)).select_related("item"))
    result = []
    for quota in quotas:
        used = used_in_period(department=department, start=quota.period_start,
                              end=period_end(quota.period_kind, quota.period_start),
                              item=quota.item, category=quota.category)
        result.append(QuotaUse(quota=quota, used=used, remaining=quota.quantity - used))
    return result


# --- usage ledger and quota review -------------------------------------------------------------


def usage_by_department_category(*, start: datetime.date, end: datetime.date, movements=None) -> list[dict]:
    """CON-06: net quantity and amount used per department × category in [start, end)."""
    qs = movements if movements is not None else Movement.objects.all()
    rows = (qs.filter(kind__in=USAGE_KINDS, status=MovementStatus.POSTED, department__isnull=False,
                      occurred_at__gte=_aware(start), occurred_at__lt=_aware(end))
            .values("department_id", "department__name", "item__category")
            .annotate(total=Sum("quantity")).order_by("department__name", "item__category"))
    return [{"department_id": r["department_id"], "department": r["department__name"],
             "category": r["item__category"], "quantity": -r["total"]} for r in rows if r["total"]]


def quota_review(*, period_kind: str, start: datetime.date, quotas=None) -> list[dict]:
    """CON-07: per department, quota against use in the period (one row per quota)."""
    qs = quotas if quotas is not None else Quota.objects.all()
    qs = qs.filter(period_kind=period_kind, period_start=start).select_related("department", "item")
    end = period_end(period_kind, start)
    quota_list = list(qs)
    if not quota_list:
        return []
    usage = (Movement.objects.filter(kind__in=USAGE_KINDS, status=MovementStatus.POSTED,
                                     department_id__in={q.department_id for q in quota_list},
                                     occurred_at__gte=_aware(start), occurred_at__lt=_aware(end))
             .values("department_id", "item_id", "item__category").annotate(total=Sum("quantity")))
    by_item, by_category = defaultdict(int), defaultdict(int)
    for row in usage:
        by_item[(row["department_id"], row["item_id"])] -= row["total"]
        by_category[(row["department_id"], row["item__category"])] -= row["total"]
    rows = []
    for quota in quota_list:
        used = (by_item[(quota.department_id, quota.item_id)] if quota.item_id
                else by_category[(quota.department_id, quota.category)])
        rate = (Decimal(used) * 100 / quota.quantity).quantize(Decimal("0.1"), ROUND_HALF_UP) if quota.quantity else None
        rows.append({"quota": quota, "department": quota.department.name,
                     "what": str(quota.item or quota.get_category_display()), "quota_quantity": quota.quantity,
                     "used": used, "remaining": quota.quantity - used, "rate": rate, "over": used > quota.quantity})
    rows.sort(key=lambda r: (r["department"], r["what"]))
    return rows


def review_chart(rows: list[dict]) -> dict:
    """ECharts data of the quota review: quota and use summed per department."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        pair = totals.setdefault(row["department"], [0, 0])
        pair[0] += row["quota_quantity"]
        pair[1] += row["used"]
    names = list(totals)
    return {"departments": names, "quota": [totals[n][0] for n in names], "used": [totals[n][1] for n in names]}


# --- plan sizing (N05, N06) -------------------------------------------------------------------


@dataclass
class Sizing:
    item: ConsumableItem
    monthly_average: Decimal
    expected_use: int
    requested: int
    stock: int
    proposed: int


def plan_sizing(*, period_kind: str, start: datetime.date, months: int) -> list[Sizing]:
    """Per active item: the monthly average net use over the `months` full months before `start`,
    the expected use over the period, department requests for the period and the stock now;
    proposed = max(0, expected use + requests − stock) (篇1 第九条(6), 篇14 第十九条)."""
    months = max(int(months), 1)
    window_start = add_months(start, -months)
    used = dict(
        Movement.objects.filter(kind__in=USAGE_KINDS, status=MovementStatus.POSTED,
                                occurred_at__gte=_aware(window_start), occurred_at__lt=_aware(start))
        .values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total"))
    needs = dict(Need.objects.filter(period_kind=period_kind, period_start=start)
                 .values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total"))
    stock = stock_totals()
    result = []
    for item in ConsumableItem.objects.filter(is_active=True).order_by("category", "code"):
        net = -(used.get(item.pk) or 0)
        average = (Decimal(max(net, 0)) / months).quantize(Decimal("0.01"), ROUND_HALF_UP)
        expected = int((average * period_months(period_kind)).to_integral_value(ROUND_HALF_UP))
        requested = needs.get(item.pk) or 0
        on_hand = stock.get(item.pk) or 0
        proposed = max(0, expected + requested - on_hand)
        result.append(Sizing(item=item, monthly_average=average, expected_use=expected, requested=requested,
                             stock=on_hand, proposed=proposed))
    return result
