"""Digest schedules as people write them, and daylight-saving changes kept as the README says."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.digest.schedule import parse_schedule
from bot.errors import BadInput


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def runs(text: str, zone: str, start: datetime, n: int) -> list[datetime]:
    schedule = parse_schedule(text, zone)
    found, at = [], start
    for _ in range(n):
        at = schedule.next_after(at)
        found.append(at)
    return found


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("mon-fri 09:00", [0, 1, 2, 3, 4]),
        ("weekdays 09:00", [0, 1, 2, 3, 4]),
        ("mon,thu 09:00", [0, 3]),
        ("tue-thu,sat 09:00", [1, 2, 3, 5]),
        ("Monday-Wednesday 09:00", [0, 1, 2]),
        ("sat,sun 09:00", [5, 6]),
        ("weekends 09:00", [5, 6]),
        ("fri 09:00", [4]),
    ],
)
def test_day_ranges_and_lists_run_on_each_of_their_days(text: str, weekdays: list[int]) -> None:
    week = runs(text, "UTC", utc(2026, 1, 4, 12), len(weekdays))  # from a Sunday noon
    assert [r.weekday() for r in week] == weekdays
    assert all((r.hour, r.minute) == (9, 0) for r in week)


@pytest.mark.parametrize("text", ["mon-funday 09:00", "mon--fri 09:00", "someday 09:00"])
def test_days_that_are_not_days_are_refused(text: str) -> None:
    with pytest.raises(BadInput, match="is not a schedule"):
        parse_schedule(text)


# Spring forward: New York 2026-03-08 02:00 EST -> 03:00 EDT; Berlin 2026-03-29 02:00 CET -> 03:00
# CEST. Fall back: New York 2026-11-01 02:00 EDT -> 01:00 EST; Berlin 2026-10-25 03:00 CEST ->
# 02:00 CET.
@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        (
            "America/New_York",
            utc(2026, 3, 6, 12),
            [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)],
        ),
        (
            "Europe/Berlin",
            utc(2026, 3, 27, 12),
            [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)],
        ),
    ],
)
def test_a_time_the_spring_forward_skips_runs_at_the_first_moment_after_the_gap(
    zone: str, start: datetime, expected: list[datetime]
) -> None:
    assert runs("daily 02:30", zone, start, 3) == expected


@pytest.mark.parametrize(
    ("zone", "wall", "start", "expected"),
    [
        (
            "America/New_York",
            "01:30",
            utc(2026, 10, 30, 12),
            [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)],
        ),
        (
            "Europe/Berlin",
            "02:30",
            utc(2026, 10, 23, 12),
            [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
        ),
    ],
)
def test_a_time_the_fall_back_repeats_runs_once_at_its_first_occurrence(
    zone: str, wall: str, start: datetime, expected: list[datetime]
) -> None:
    assert runs(f"daily {wall}", zone, start, 3) == expected


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("America/New_York", utc(2026, 3, 6)),
        ("America/New_York", utc(2026, 10, 30)),
        ("Europe/Berlin", utc(2026, 3, 27)),
        ("Europe/Berlin", utc(2026, 10, 23)),
    ],
)
def test_hourly_runs_never_double_or_stall_across_a_change(zone: str, start: datetime) -> None:
    found = runs("hourly", zone, start, 24 * 4)
    assert found == sorted(set(found)), "no instant twice, always forward"
    gaps = {(b - a).total_seconds() for a, b in itertools.pairwise(found)}
    assert gaps <= {3600.0, 7200.0} and 3600.0 in gaps
