"""ISO 8601 durations: what a retention period or scoring window may be, and the
calendar arithmetic done with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.durations import is_duration, months_and_days, parse_duration
from services.scorer.rules import parse_duration as window


@pytest.mark.parametrize("text", ["P2Y", "P18M", "P90D", "P1Y6M", "P2W", "P1Y2M3W4D",
                                  "PT12H", "P1DT2H3M4S"])
def test_whole_durations_are_read(text):
    assert is_duration(text)


@pytest.mark.parametrize("text", ["", "P", "PT", "P1.5Y", "P1,5D", "-P1D", "p1y", "P1Y ",
                                  "P1H", "PT1D", "1Y", "P1Y1Y"])
def test_signed_fractional_and_malformed_durations_are_refused(text):
    assert not is_duration(text)
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        parse_duration(text)


def test_months_are_calendar_months_clamped_to_the_month_end():
    now = datetime(2024, 3, 31, 12, tzinfo=UTC)
    assert now - parse_duration("P1M") == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert now - parse_duration("P18M") == datetime(2022, 9, 30, 12, tzinfo=UTC)
    assert now - parse_duration("P1M1D") == datetime(2024, 2, 28, 12, tzinfo=UTC)
    assert now - parse_duration("P2W") == now - timedelta(days=14)


def test_a_window_counts_months_and_days_only():
    assert months_and_days(parse_duration("P1Y6M2W1D")) == (18, 15)
    assert window("P6M") == (6, 0) and window("P180D") == (0, 180)
    for text in ("PT12H", "P0D", "P", "P1.5M"):
        with pytest.raises(ValueError, match="window must be"):
            window(text)
