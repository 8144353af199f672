"""The responder's synchronous SQLite read agrees with the reference answer (reference.py) for every person
and household (withheld, merged, property-only households included)."""

from __future__ import annotations

from services.common.state import state_of
from services.pseudonymiser import identity
from tests.pseudonymiser import reference
from tests.pseudonymiser.conftest import every_request
from tests.pseudonymiser.test_service import person


async def test_sqlite_reader_equals_reidentify(pseudonymiser):
    fed = pseudonymiser.fed
    a = person(family_name="Abernethy-Quist", given_name="Rowena", local_id="EMIS-4001",
               address="9 Rowan Close", postcode="OL4 2QQ")
    b = person(family_name="Abernethy-Quist", given_name="R.", local_id="UPN-4002",
               address="9 Rowan Close", postcode="OL4 2QQ")
    c = person(family_name="Nakamura-Bell", given_name="Imogen", sex="F",
               date_of_birth="2011-09-30", local_id="EMIS-4004", address="2 Birch Lane",
               postcode="OL3 7AA")
    flat = dict(record_token="rt_yard-" + a["record_token"], local_id="inc-4003",
                address="7 Quiet Yard", postcode="OL6 2ZZ")
    await fed.processed(await fed.publish([a, c]))
    await fed.processed(await fed.publish([b], dataset="school-census"))
    await fed.processed(await fed.publish([flat], dataset="police-callouts",
                                          level="property"))
    await fed.decide((await fed.latest(a["record_token"])).person, "opt_out")
    assert (await fed.latest(a["record_token"], min_version=2)).withheld
    reader = identity.SQLiteReader.for_url(state_of(pseudonymiser.app).rt.settings.database_url)
    assert reader is not None
    assert identity.SQLiteReader.for_url("postgresql+asyncpg://u@h/db") is None
    try:
        async with state_of(pseudonymiser.app).sessionmaker() as s:
            asks = await every_request(s)
            kinds = set()
            for ask_ in asks:
                expected = await reference.reidentify(s, ask_)
                assert reader.answer(ask_) == expected, ask_
                kinds.add((ask_.level, expected.found, expected.withheld,
                           bool(expected.subjects)))
    finally:
        reader.close()
    assert {("person", True, True, False), ("person", False, False, False),
            ("person", True, False, True), ("household", True, False, True)} <= kinds
    assert any(s.date_of_birth is not None for ask_ in asks
               for s in (reader.answer(ask_) or identity.Answer(found=False)).subjects)
