"""Dates as every source reads them: the same instant, whatever way ISO 8601 writes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.sources.dates import iso_date

moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.none()
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(moments, offsets)
def test_a_date_with_an_offset_is_that_instant(moment: datetime, zone: timezone) -> None:
    written = moment.replace(tzinfo=zone)
    assert iso_date(written.isoformat()) == written
    assert iso_date(written.isoformat(sep=" ")) == written


@given(moments)
def test_a_date_without_a_zone_is_read_as_utc(moment: datetime) -> None:
    assert iso_date(moment.isoformat()) == moment.replace(tzinfo=UTC)
    stamp = moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    assert iso_date(stamp) == moment.replace(tzinfo=UTC)


@given(st.one_of(st.none(), st.integers(), st.text(max_size=30)))
def test_anything_else_is_no_date_and_never_an_error(value: object) -> None:
    parsed = iso_date(value)
    assert parsed is None or parsed.tzinfo is not None


def test_wordpress_empty_date_and_a_date_alone() -> None:
    assert iso_date("0000-00-00 00:00:00") is None
    assert iso_date("2024-03-01") == datetime(2024, 3, 1, tzinfo=UTC)
