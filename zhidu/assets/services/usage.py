"""Usage log and utilisation of valuable and precision instruments (效益管理, SCH-03, AST-24;
篇12 信息技术专用室负责人(8)).

Semesters: the spring semester runs from 1 February to 31 July, the autumn semester from
1 August to 31 January (key "2026S" / "2026A", the year the semester starts).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import RuleViolation

from ..choices import AssetStatus
from ..models import Asset, InstrumentUsage

__all__ = ["DEFAULT_MIN_PRICE", "delete_usage", "record_usage", "semester_bounds", "semester_choices",
           "semester_of", "utilisation_queryset"]

ARTICLE_BENEFIT = "篇12 信息技术专用室负责人(8)"
#: Instruments from this purchase price are "valuable" (贵重) and shown even when idle.
DEFAULT_MIN_PRICE = Decimal("10000")


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def semester_of(day: datetime.date) -> str:
    if 2 <= day.month <= 7:
        return f"{day.year}S"
    return f"{day.year if day.month >= 8 else day.year - 1}A"


def semester_bounds(key: str) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the semester "2026S" / "2026A"; RuleViolation when malformed."""
    try:
        year, half = int(key[:4]), key[4:]
    except (TypeError, ValueError):
        year, half = 0, ""
    if half == "S" and year > 1900:
        return datetime.date(year, 2, 1), datetime.date(year, 7, 31)
    if half == "A" and year > 1900:
        return datetime.date(year, 8, 1), datetime.date(year + 1, 1, 31)
    raise RuleViolation(_("Unknown semester %(key)s (e.g. 2026S or 2026A).") % {"key": key}, code="invalid")


def semester_choices(today: datetime.date | None = None, count: int = 6) -> list[tuple[str, str]]:
    """The current semester and the ones before it, newest first."""
    key = semester_of(today or timezone.localdate())
    result = []
    for _i in range(count):
        year, half = int(key[:4]), key[4]
        label = _("%(year)d spring semester") if half == "S" else _("%(year)d autumn semester")
        result.append((key, label % {"year": year}))
        key = f"{year - 1}A" if half == "S" else f"{year}S"
    return result


@transaction.atomic
def record_usage(*, asset: Asset, used_on: datetime.date, hours, purpose: str, actor, used_by=None,
                 class_name: str = "") -> InstrumentUsage:
    """Log one use of an instrument (SCH-03)."""
    hours = Decimal(str(hours)) if hours is not None else None
    if hours is None or not (Decimal("0") < hours <= Decimal("24")):
        raise RuleViolation(_("Hours of use are more than 0 and at most 24."), code="invalid")
    if used_on > timezone.localdate():
        raise RuleViolation(_("The date of use cannot be in the future."), code="invalid")
    if asset.status in (AssetStatus.DISPOSED, AssetStatus.LOST):
        raise RuleViolation(_("%(asset)s is no longer on the books.") % {"asset": asset}, code="invalid")
    if not (purpose or "").strip():
        raise RuleViolation(_("Say what the instrument was used for."), code="invalid", article=ARTICLE_BENEFIT)
    Asset.objects.select_for_update().filter(pk=asset.pk).first()  # serialise uses of one instrument
    day_total = (InstrumentUsage.objects.filter(asset=asset, used_on=used_on).aggregate(t=Sum("hours"))["t"]
                 or Decimal("0"))
    if day_total + hours > 24:
        raise RuleViolation(_("%(asset)s already has %(hours)s hours on %(day)s: a day has 24.")
                            % {"asset": asset, "hours": day_total, "day": used_on}, code="invalid")
    return InstrumentUsage.objects.create(asset=asset, used_on=used_on, hours=hours, purpose=purpose.strip()[:255],
                                          used_by=used_by, class_name=(class_name or "").strip()[:60],
                                          recorded_by=_user(actor))


@transaction.atomic
def delete_usage(*, usage: InstrumentUsage, actor) -> None:
    usage.delete()


def utilisation_queryset(assets, *, start: datetime.date, end: datetime.date, min_price=DEFAULT_MIN_PRICE):
    """Instruments used between `start` and `end` or valuable (price ≥ `min_price`, on the books),
    annotated with hours, uses, days of use and distinct users/classes in the period (one query)."""
    period = Q(usages__used_on__gte=start, usages__used_on__lte=end)
    used = InstrumentUsage.objects.filter(asset_id=OuterRef("pk"), used_on__gte=start, used_on__lte=end)
    valuable = Q(purchase_price__gte=min_price) & ~Q(status__in=(AssetStatus.DISPOSED, AssetStatus.LOST))
    return (assets.annotate(was_used=Exists(used)).filter(Q(was_used=True) | valuable)
            .annotate(hours=Coalesce(Sum("usages__hours", filter=period), Value(Decimal("0")),
                                     output_field=DecimalField(max_digits=9, decimal_places=1)),
                      uses=Count("usages", filter=period),
                      days=Count("usages__used_on", filter=period, distinct=True),
                      users=Count("usages__used_by", filter=period, distinct=True),
                      classes=Count("usages__class_name", filter=period & ~Q(usages__class_name=""), distinct=True)))
