"""A partner's locality and second address line through NATS: stored with the record, and
evidence in training."""

from __future__ import annotations

from sqlalchemy import select

from services.common.state import state_of
from services.pseudonymiser.models import IdentityRecord
from services.pseudonymiser.probabilistic import frame_from_records
from services.pseudonymiser.probabilistic.model import present_features
from tests.pseudonymiser.test_service import person


async def test_locality_and_line_2_are_stored_and_reach_the_model_frame(pseudonymiser):
    fed = pseudonymiser.fed
    with_town = person(family_name="Oyelaran", given_name="Tobi", locality="Failsworth",
                       address_line_2="Flat 3, Rose Court")
    without = person(family_name="Oyelaran", given_name="Kemi", sex="F")
    batch = await fed.publish([with_town, without])
    assert await fed.processed(batch) == 2
    async with state_of(pseudonymiser.app).sessionmaker() as session:
        rows = {r.record_token: r for r in (await session.execute(
            select(IdentityRecord).where(IdentityRecord.record_token.in_(
                [with_town["record_token"], without["record_token"]])))).scalars()}
    assert rows[with_town["record_token"]].locality == "Failsworth"
    assert rows[without["record_token"]].locality is None
    assert rows[with_town["record_token"]].address_line_2 == "Flat 3, Rose Court"
    assert rows[without["record_token"]].address_line_2 is None
    frame = frame_from_records(rows.values())
    assert sorted(frame["locality"].tolist(), key=str) == ["FAILSWORTH", None]
    assert sorted(frame["address_line_2"].tolist(), key=str) == ["3 ROSE COURT", None]
    assert {"locality", "address_line_2"} <= set(present_features(frame))
