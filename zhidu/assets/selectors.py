"""Read queries of the ledger, reused by views, the API, the dashboard and other apps.

Everything that reaches a user takes a `user` and goes through `restrict(user, "view")`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .choices import AssetStatus
from .models import Asset, AssetCategory, CustodyPeriod
from .services.ledger import CENT, _months_between

#: Statuses of devices still in the organisation's hands (not disposed / lost).
ACTIVE_STATUSES = [s for s in AssetStatus.values if s not in (AssetStatus.DISPOSED, AssetStatus.LOST)]


def units_for(user, action: str = "view"):
    """The active org units in which the user may `action` assets (the department choices)."""
    from zhidu.core.scoping import grants
    from zhidu.org.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True)
    if user is None or not user.is_authenticated:
        return units.none()
    if user.is_superuser:
        return units
    condition = Q(pk__in=[])
    for grant in grants(user, f"assets.{action}_asset"):
        if grant.unit_id is None:
            return units
        condition |= Q(path__startswith=grant.unit_path) if grant.subtree else Q(pk=grant.unit_id)
    return units.filter(condition)


def visible_assets(user):
    return Asset.objects.restrict(user, "view")


def asset_by_number(user, number: str) -> Asset | None:
    """The visible asset of that number (a scanned label, see labels.parse_label_payload)."""
    return visible_assets(user).filter(number=number).first()


def my_assets(person_id: int | None):
    """What is assigned to the person (AST-08: custodian), not yet disposed — "my equipment"."""
    if person_id is None:
        return Asset.objects.none()
    return (Asset.objects.filter(custodian_id=person_id).exclude(status=AssetStatus.DISPOSED)
            .select_related("category", "location").order_by("number"))


def custody_history(asset):
    """The custody periods of an asset, newest first (AST-09: A → B)."""
    return (CustodyPeriod.objects.filter(asset=asset).select_related("custodian", "department", "letter")
            .order_by("-started", "-id"))


def warranty_expiring(queryset, *, days: int = 90, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (queryset.filter(warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=days))
            .exclude(status=AssetStatus.DISPOSED)
            .select_related("category", "department", "custodian").order_by("warranty_end", "number"))


def dashboard_data(user, *, today: datetime.date | None = None, expiring_days: int = 90) -> dict:
    """The ledger dashboard (ECharts): by category, department, status; value by category;
    warranty expiring. Aggregated in the database: a fixed number of queries (5) whatever the
    ledger's size."""
    today = today or timezone.localdate()
    assets = visible_assets(user).exclude(status=AssetStatus.DISPOSED)
    by_category = list(assets.values("category_id", "category__name").annotate(count=Count("id"))
                       .order_by("-count", "category__name"))
    by_department = list(assets.values("department_id", "department__name").annotate(count=Count("id"))
                         .order_by("-count", "department__name")[:20])
    status_labels = dict(AssetStatus.choices)
    by_status = [{"status": row["status"], "label": str(status_labels.get(row["status"], row["status"])),
                  "count": row["count"]}
                 for row in assets.values("status").annotate(count=Count("id")).order_by("status")]
    value_by_category = _value_by_category(assets, today)
    expiring = list(warranty_expiring(assets, days=expiring_days, today=today)[:100])
    return {"by_category": [{"name": r["category__name"], "count": r["count"]} for r in by_category],
            "by_department": [{"name": r["department__name"], "count": r["count"]} for r in by_department],
            "by_status": by_status, "value_by_category": value_by_category, "expiring": expiring,
            "expiring_days": expiring_days, "total": sum(r["count"] for r in by_category)}


def _value_by_category(assets, today: datetime.date) -> list[dict]:
    """Purchase price and depreciated value per category, aggregated in the database.

    Straight-line monthly depreciation (services.depreciated_value) is linear in the months of
    use, so per category and start month it is price × (1 − (1 − r) × min(m, N) / N), floored at
    price × r: the sum of prices grouped by (category, start month) gives the exact total with
    one query; the arithmetic runs in Python over the (category × month) groups.
    """
    from django.db.models.functions import Coalesce, TruncMonth

    categories = {c.pk: c for c in AssetCategory.objects.only("id", "name", "depreciation_years", "residual_rate",
                                                                  "is_fixed_asset")}
    rows = (assets.filter(purchase_price__isnull=False)
            .annotate(start=TruncMonth(Coalesce("capitalised_on", "purchase_date")))
            .values("category_id", "start").annotate(total=Sum("purchase_price")).order_by())
    result: dict[int, dict] = {}
    for row in rows:
        category = categories.get(row["category_id"])
        if category is None:
            continue
        total = Decimal(row["total"] or 0)
        entry = result.setdefault(category.pk, {"name": category.name, "price": Decimal("0"), "value": Decimal("0")})
        entry["price"] += total
        start = row["start"]
        if isinstance(start, datetime.datetime):
            start = start.date()
        if not category.is_fixed_asset or start is None:
            entry["value"] += total
            continue
        months_total = max(1, category.depreciation_years * 12)
        months = min(_months_between(start, today), months_total)
        rate = Decimal(category.residual_rate)
        entry["value"] += total - total * (1 - rate) * months / months_total
    return sorted(({"name": e["name"], "price": e["price"].quantize(CENT), "value": e["value"].quantize(CENT)}
                   for e in result.values()), key=lambda e: -e["price"])


def counts_for_person(person_id: int) -> dict:
    """How many devices the person holds, by status (the home panel)."""
    rows = Asset.objects.filter(custodian_id=person_id).exclude(status=AssetStatus.DISPOSED)
    return rows.aggregate(total=Count("id"), on_loan=Count("id", filter=Q(status=AssetStatus.ON_LOAN)))
