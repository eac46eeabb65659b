"""The working calendar (DESIGN rule 7): deadlines and SLA clocks count working time only.

Working days follow China's statutory holidays and make-up workdays (调休) from the
`chinese-calendar` package: National Day (国庆节) is off, the Saturday worked in exchange is a
working day. Working hours are `settings.ZHIDU_WORKING_HOURS` (env `ZHIDU_WORKING_HOURS`,
default "08:30-12:00,13:30-17:30"), in the local time zone (Asia/Shanghai).

    add_working_hours(start, 2)          # "fixed within 2 hours" (MNT) counted in working time
    add_working_days(date, 3)            # "within 3 working days"
    working_time_between(start, end)     # working time elapsed, for SLA attainment

`chinese-calendar` knows the years the State Council has published (it is updated each
December: `uv lock --upgrade-package chinese-calendar`). For a year it does not know yet,
Monday to Friday are working days and a warning is logged.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger("zhidu.calendar")

DEFAULT_WORKING_HOURS = "08:30-12:00,13:30-17:30"
#: add_working_hours()/add_working_days() give up after this many calendar days.
MAX_DAYS = 3660

_warned_years: set[int] = set()


@lru_cache(maxsize=16)
def parse_working_hours(value: str) -> tuple[tuple[time, time], ...]:
    """'08:30-12:00,13:30-17:30' -> ((08:30, 12:00), (13:30, 17:30)); sorted, non-overlapping."""
    periods = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            begin, end = (time.fromisoformat(p.strip()) for p in part.split("-"))
        except ValueError as e:
            raise ImproperlyConfigured(f"ZHIDU_WORKING_HOURS: cannot read {part!r} (expected HH:MM-HH:MM)") from e
        if begin >= end:
            raise ImproperlyConfigured(f"ZHIDU_WORKING_HOURS: {part!r} ends before it starts")
        periods.append((begin, end))
    periods.sort()
    if not periods:
        raise ImproperlyConfigured("ZHIDU_WORKING_HOURS has no working period")
    for (_, end), (begin, _) in zip(periods, periods[1:], strict=False):
        if begin < end:
            raise ImproperlyConfigured("ZHIDU_WORKING_HOURS: working periods overlap")
    return tuple(periods)


def working_hours() -> tuple[tuple[time, time], ...]:
    return parse_working_hours(getattr(settings, "ZHIDU_WORKING_HOURS", DEFAULT_WORKING_HOURS))


def hours_per_day() -> timedelta:
    """Length of a working day (7.5 hours by default)."""
    return sum(
        (datetime.combine(date.min, end) - datetime.combine(date.min, begin) for begin, end in working_hours()),
        timedelta(),
    )


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day: not a weekend or statutory holiday, or a make-up workday (调休)."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese-calendar has no holiday data for %s: counting Monday-Friday as working days. "
                "Upgrade the package (uv lock --upgrade-package chinese-calendar).", day.year,
            )
        return day.weekday() < 5


def is_holiday(day: date) -> bool:
    return not is_working_day(day)


def _tz():
    return timezone.get_default_timezone()


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, _tz())
    return moment.astimezone(_tz())


def working_periods(day: date) -> list[tuple[datetime, datetime]]:
    """The working periods of `day` as aware local datetimes; empty on a day off."""
    if not is_working_day(day):
        return []
    tz = _tz()
    return [
        (timezone.make_aware(datetime.combine(day, begin), tz), timezone.make_aware(datetime.combine(day, end), tz))
        for begin, end in working_hours()
    ]


def _as_timedelta(hours) -> timedelta:
    if isinstance(hours, timedelta):
        value = hours
    elif isinstance(hours, int | float | Decimal):
        value = timedelta(hours=float(hours))
    else:
        raise TypeError(f"hours must be a number or a timedelta, not {type(hours).__name__}")
    if value < timedelta(0):
        raise ValueError("working hours to add must not be negative")
    return value


def add_working_hours(start: datetime, hours) -> datetime:
    """The moment `hours` working hours after `start` (a number of hours or a timedelta).

    Time outside working hours does not count: with the default hours, a 2-hour deadline set
    at 17:00 on 30 September 2025 ends at 10:00 on 9 October 2025, the first working day after
    the National Day holiday (half an hour on the 30th, 1.5 hours on the 9th). The result is the earliest such
    moment, so a deadline ending with a period is that period's end (12:00, not 13:30).
    Naive datetimes are taken as local time. Returns an aware local datetime.
    """
    remaining = _as_timedelta(hours)
    current = _local(start)
    if not remaining:
        return current
    day = current.date()
    for _ in range(MAX_DAYS):
        for begin, end in working_periods(day):
            if end <= current:
                continue
            begin = max(begin, current)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError(f"{hours} working hours from {start} is more than {MAX_DAYS} days away")


def next_working_moment(moment: datetime) -> datetime:
    """`moment` if it falls in working hours, else the start of the next working period."""
    current = _local(moment)
    day = current.date()
    for _ in range(MAX_DAYS):
        for begin, end in working_periods(day):
            if end > current:
                return max(begin, current)
        day += timedelta(days=1)
    raise ValueError(f"no working time within {MAX_DAYS} days of {moment}")


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Working time elapsed from `start` to `end` (zero if `end` is not after `start`)."""
    start, end = _local(start), _local(end)
    total = timedelta()
    if end <= start:
        return total
    day = start.date()
    while day <= end.date():
        for begin, finish in working_periods(day):
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def add_working_days(day: date, days: int) -> date:
    """The `days`-th working day after `day` (`days=0`: `day` itself if it is a working day,
    else the next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    if isinstance(day, datetime):
        day = _local(day).date()
    if days == 0:
        for _ in range(MAX_DAYS):
            if is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day found")
    for _ in range(MAX_DAYS):
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
            if days == 0:
                return day
    raise ValueError(f"{days} working days from {day} is more than {MAX_DAYS} days away")
