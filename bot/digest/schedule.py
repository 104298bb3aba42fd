"""When a digest runs: "daily 08:00", "weekdays 18:30", "every 6h", or a cron expression.

Calendar schedules are computed on the local wall clock of the subscription's timezone and only
then turned into UTC instants, so daylight-saving changes neither skip nor double a run: a time
that does not exist on the spring-forward day (02:30) runs once, at the first instant after the
gap; a time that happens twice in the autumn runs once, at its first occurrence. Intervals
("every 6h") count elapsed time from the subscription's creation and ignore the timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from bot.errors import BadInput

MIN_INTERVAL = timedelta(minutes=15)
"""Sources are not polled more often than this: it keeps the bot polite to the sites it reads."""

EXAMPLES = '"daily 08:00", "mon-fri 18:30", "mon,thu 09:00", "every 6h" or a cron expression'

_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 0}
_DAY_SETS = {"daily": "*", "weekdays": "1-5", "weekends": "0,6"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_EVERY = re.compile(r"^every\s+(\d+)\s*(m|min|minutes?|h|hours?|d|days?)$")


def timezone(name: str) -> ZoneInfo:
    """An IANA timezone, or a BadInput that says what a valid name looks like."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"'{name}' is not a timezone.",
            hint="Use an IANA name such as Europe/Paris, America/New_York or UTC.",
        ) from None


@dataclass(frozen=True, slots=True)
class Schedule:
    text: str
    timezone: str
    cron: str | None = None
    interval: timedelta | None = None

    def next_after(self, after: datetime, *, anchor: datetime | None = None) -> datetime:
        """The first run strictly after `after` (UTC), as a UTC instant."""
        if self.interval is not None:
            start = anchor or after
            if after < start:
                return start
            steps = (after - start) // self.interval + 1
            return start + steps * self.interval
        assert self.cron is not None
        zone = ZoneInfo(self.timezone)
        local = after.astimezone(zone).replace(tzinfo=None, fold=0)
        # Step through naive wall-clock times: croniter never sees a DST transition.
        times = croniter(self.cron, local - timedelta(hours=3))
        for _ in range(100_000):
            candidate: datetime = times.get_next(datetime)
            instant = _instant(candidate, zone)
            if instant > after:
                return instant
        raise BadInput(f"The schedule '{self.text}' never runs.")  # pragma: no cover

    def describe(self) -> str:
        return self.text if self.interval is not None else f"{self.text} ({self.timezone})"


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: its first occurrence when the clock falls back,
    and the first moment after the gap when it does not exist (the clock sprang forward)."""
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In the gap. Read with the later offset (fold=1) it is an instant before the change; the
    # change is the first whole second whose wall clock is not before `wall`.
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(instant.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _clock(text: str, schedule: str) -> tuple[int, int]:
    match = _CLOCK.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise BadInput(
            f"'{text}' in the schedule '{schedule}' is not a time of day.",
            hint="Write times as HH:MM on a 24-hour clock, such as 08:00 or 18:30.",
        )
    return int(match[1]), int(match[2])


def _days(text: str) -> str | None:
    """A day-of-week cron field from "weekdays", "mon-fri", "mon,thu", "tuesday-thursday"...

    Ranges and lists are croniter's own day-of-week syntax; full day names are shortened to the
    three letters croniter reads. None when croniter does not accept the result.
    """
    if text in _DAY_SETS:
        return _DAY_SETS[text]
    parts = re.split(r"([,-])", text)
    field = "".join(_FULL_DAYS.get(p, p) for p in parts)
    if not all(p in ",-" or p in _DAYS for p in re.split(r"([,-])", field)):
        return None
    return field if croniter.is_valid(f"0 0 * * {field}") else None


_FULL_DAYS = {
    "monday": "mon",
    "tuesday": "tue",
    "tues": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "thur": "thu",
    "thurs": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


def parse_schedule(text: str, timezone_name: str = "UTC") -> Schedule:
    """A validated schedule, or a BadInput with the accepted forms."""
    raw = " ".join(text.strip().lower().split())
    timezone(timezone_name)
    bad = BadInput(f"'{text}' is not a schedule.", hint=f"Try {EXAMPLES}.")
    if not raw:
        raise bad
    if raw in ("hourly",):
        return _checked(Schedule(raw, timezone_name, cron="0 * * * *"))
    every = _EVERY.match(raw)
    if every:
        n, unit = int(every[1]), every[2][0]
        seconds = n * {"m": 60, "h": 3600, "d": 86400}[unit]
        return _checked(Schedule(raw, timezone_name, interval=timedelta(seconds=seconds)))
    words = raw.split(" ")
    if len(words) == 2 and (days := _days(words[0])) is not None:
        hour, minute = _clock(words[1], text)
        return _checked(Schedule(raw, timezone_name, cron=f"{minute} {hour} * * {days}"))
    if len(words) == 5 and croniter.is_valid(raw):
        return _checked(Schedule(raw, timezone_name, cron=raw))
    if len(words) == 5:
        raise BadInput(
            f"'{text}' is not a valid cron expression.",
            hint="Cron takes five fields: minute hour day-of-month month day-of-week, "
            "for example '0 8 * * 1-5'.",
        )
    raise bad


def _checked(schedule: Schedule) -> Schedule:
    """Refuse schedules that run more often than MIN_INTERVAL, or never."""
    if schedule.interval is not None:
        gap = schedule.interval
    else:
        start = datetime(2026, 1, 5, tzinfo=UTC)
        first = schedule.next_after(start)
        gaps = []
        previous = first
        for _ in range(4):
            following = schedule.next_after(previous)
            gaps.append(following - previous)
            previous = following
        gap = min(gaps)
    if gap < MIN_INTERVAL:
        raise BadInput(
            f"The schedule '{schedule.text}' runs every {_span(gap)}; the shortest allowed "
            f"is every {_span(MIN_INTERVAL)}.",
            hint=f"Try {EXAMPLES}.",
        )
    return schedule


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day{'s' if minutes != 1440 else ''}"
    if minutes % 60 == 0:
        return f"{minutes // 60} hour{'s' if minutes != 60 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
