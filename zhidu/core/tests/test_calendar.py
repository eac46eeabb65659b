"""The working calendar (DESIGN rule 7): statutory holidays, make-up workdays (调休), working hours."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhidu.core import calendar

SH = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 1), False),  # National Day 2025 (国庆节 + 中秋节, 1-8 Oct)
        (date(2025, 10, 8), False),
        (date(2025, 9, 28), True),  # Sunday worked in exchange (调休)
        (date(2025, 10, 11), True),  # Saturday worked in exchange
        (date(2025, 10, 9), True),
        (date(2026, 10, 1), False),  # National Day 2026 (1-7 Oct)
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 2, 17), False),  # Spring Festival 2026
        (date(2026, 2, 14), True),  # make-up Saturday before it
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_is_working_day_knows_holidays_and_make_up_days(day, working):
    assert calendar.is_working_day(day) is working
    assert calendar.is_holiday(day) is not working


def test_year_without_published_holidays_falls_back_to_weekdays(caplog):
    with caplog.at_level(logging.WARNING, logger="zhidu.calendar"):
        assert calendar.is_working_day(date(2099, 6, 1)) is True  # a Monday
        assert calendar.is_working_day(date(2099, 6, 6)) is False  # a Saturday
    assert "2099" in caplog.text


def test_add_hours_within_a_period():
    assert calendar.add_working_hours(local("2026-03-09 09:00"), 2) == local("2026-03-09 11:00")


def test_add_hours_skips_the_lunch_break_and_ends_at_the_earliest_moment():
    # 08:30 + 3.5 h ends at 12:00 (not 13:30); one more hour continues after lunch.
    assert calendar.add_working_hours(local("2026-03-09 08:30"), 3.5) == local("2026-03-09 12:00")
    assert calendar.add_working_hours(local("2026-03-09 11:00"), 2) == local("2026-03-09 14:30")


def test_add_hours_over_national_day_2025():
    # Half an hour on 30 September, then the holiday (1-8 Oct), then 1.5 h on 9 October.
    assert calendar.add_working_hours(local("2025-09-30 17:00"), 2) == local("2025-10-09 10:00")


def test_add_hours_counts_the_make_up_saturday():
    # Friday 9 Oct 2026 17:00 + 4 h: 0.5 h on Friday, 3.5 h on the make-up Saturday 10 Oct.
    assert calendar.add_working_hours(local("2026-10-09 17:00"), 4) == local("2026-10-10 12:00")


def test_add_hours_started_outside_working_time_starts_at_next_period():
    # Saturday 7 Mar 2026 is a day off: the clock starts on Monday 08:30.
    assert calendar.add_working_hours(local("2026-03-07 10:00"), 1) == local("2026-03-09 09:30")
    assert calendar.add_working_hours(local("2026-03-09 07:00"), Decimal("0.5")) == local("2026-03-09 09:00")
    assert calendar.add_working_hours(local("2026-03-09 12:30"), timedelta(minutes=15)) == local("2026-03-09 13:45")


def test_add_zero_hours_and_utc_input():
    start = local("2026-03-09 20:00")
    assert calendar.add_working_hours(start, 0) == start
    utc_start = datetime(2026, 3, 9, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    assert calendar.add_working_hours(utc_start, 1) == local("2026-03-09 10:00")


def test_add_hours_rejects_negative():
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_hours(local("2026-03-09 09:00"), -1)


def test_multi_day_deadline():
    # 16 working hours from Monday 09:00 = two full days (7.5 h each) + 1 h: Wednesday 09:30.
    assert calendar.hours_per_day() == timedelta(hours=7, minutes=30)
    assert calendar.add_working_hours(local("2026-03-09 08:30"), 16) == local("2026-03-11 09:30")


def test_working_time_between_and_add_are_inverse():
    start = local("2025-09-30 16:00")
    end = calendar.add_working_hours(start, 10)
    assert calendar.working_time_between(start, end) == timedelta(hours=10)
    assert calendar.working_time_between(end, start) == timedelta(0)
    # A whole holiday week contributes nothing.
    assert calendar.working_time_between(local("2025-10-01 00:00"), local("2025-10-08 23:59")) == timedelta(0)


def test_next_working_moment():
    assert calendar.next_working_moment(local("2026-10-01 10:00")) == local("2026-10-08 08:30")
    assert calendar.next_working_moment(local("2026-03-09 12:15")) == local("2026-03-09 13:30")
    assert calendar.next_working_moment(local("2026-03-09 10:00")) == local("2026-03-09 10:00")


def test_add_working_days():
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # 调休 Saturday
    assert calendar.add_working_days(date(2026, 3, 6), 3) == date(2026, 3, 11)
    assert calendar.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)


def test_working_hours_are_configurable(settings):
    settings.ZHIDU_WORKING_HOURS = "09:00-12:00, 14:00-18:00"
    assert calendar.hours_per_day() == timedelta(hours=7)
    assert calendar.add_working_hours(local("2026-03-09 11:00"), 2) == local("2026-03-09 15:00")


@pytest.mark.parametrize("value", ["", "8:30", "12:00-08:30", "08:00-12:00,11:00-13:00", "abc-def"])
def test_bad_working_hours_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        calendar.parse_working_hours(value)
