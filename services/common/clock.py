"""The council's calendar: dates are England's, whatever zone the host runs in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")


def today() -> date:
    """Today's date in England (between midnight and 1 am BST a UTC host is a day behind)."""
    return datetime.now(ENGLAND).date()
