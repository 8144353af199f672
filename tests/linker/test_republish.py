"""Household profiles aggregate members and the property; the scorer's republish requests."""

from __future__ import annotations

from datetime import date

from services.common import messages as m
from services.common import subjects
from tests.linker.conftest import codes, new

D = date(2026, 5, 1)


async def test_household_profile_and_republish(linker):
    a, b, prop = new("r"), new("r"), new("r")
    p1, p2, hh = new("P"), new("P"), new("H")
    await linker.assign(
        m.Assignment(record_token=a, level="person", person=p1, household=hh, area="OL1",
                     version=1),
        m.Assignment(record_token=b, level="person", person=p2, household=hh, area="OL1",
                     version=1),
        m.Assignment(record_token=prop, level="property", household=hh, area="OL1", version=1))
    await linker.events("gp-p81001", "gp-p81001", [(a, "GP1", D)])
    await linker.events("schools-la", "school-census", [(b, "SCH1", D)])
    await linker.events("police-gmp", "police-callouts", [(prop, "POL2", D)], level="property")
    profile = await linker.wait_profile(hh, lambda p: len(p.events) == 3)
    assert codes(profile) == ["GP1", "POL2", "SCH1"]

    # the scorer asks for one household and an unknown person (published empty)
    linker.profiles.clear()
    ghost = new("P")
    await linker._send("scorer", subjects.REPUBLISH.subject, m.RepublishRequest(
        request_id="r1", profiles=[m.ProfileRef(pseudonym=hh, level="household"),
                                   m.ProfileRef(pseudonym=ghost, level="person")]))
    again = await linker.wait_profile(hh, lambda p: True)
    assert codes(again) == ["GP1", "POL2", "SCH1"]
    assert (await linker.wait_profile(ghost, lambda p: True)).events == []

    # a full re-score republishes every person with events
    linker.profiles.clear()
    await linker._send("scorer", subjects.REPUBLISH.subject, m.RepublishRequest(
        request_id="r2", all=True, levels=["person"]))
    assert codes(await linker.wait_profile(p1, lambda p: True)) == ["GP1"]
    assert codes(await linker.wait_profile(p2, lambda p: True)) == ["SCH1"]
    assert await linker.seen(hh) == []
