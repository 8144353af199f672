"""ISO 8601 durations as Tessera writes them: retention periods, scoring windows, delays.

isodate reads the duration and does the calendar arithmetic (``now - P18M`` lands on the
same day 18 months back, clamped to the month's end); the check before it keeps out
what isodate also accepts but no period of Tessera's is: a sign, a fraction, a bare
``PT``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import isodate

_WHOLE = re.compile(r"P(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?")

Duration = isodate.Duration | timedelta


def parse_duration(text: str) -> Duration:
    """An ISO 8601 duration such as P2Y, P18M, P90D or P1Y6M (whole numbers only): a
    timedelta, or an ``isodate.Duration`` when it counts years or months."""
    if not text or text == "P" or not _WHOLE.fullmatch(text):
        raise ValueError("must be an ISO 8601 duration such as P2Y, P6M or P30D")
    try:
        return isodate.parse_duration(text)
    except isodate.ISO8601Error:
        raise ValueError("must be an ISO 8601 duration such as P2Y, P6M or P30D") from None


def is_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def months_and_days(duration: Duration) -> tuple[int, int]:
    """A duration of whole days as (months, days); one with a time part is refused."""
    if isinstance(duration, isodate.Duration):
        months = int(duration.years) * 12 + int(duration.months)
        rest = duration.tdelta
    else:
        months, rest = 0, duration
    if rest.seconds or rest.microseconds:
        raise ValueError("must count whole days, months or years")
    return months, rest.days
