"""Agreements obeyed by every slice: four real services in-process on a real NATS, fed as the
gateway would; retention with a clock the test controls; ending an agreement; purposes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest_asyncio
from sqlalchemy import func, select

from services.common import messages as m
from services.common import subjects
from services.common.db import run_migrations
from services.common.state import state_of
from services.consent.app import create_app as consent_app
from services.consent.settings import ConsentSettings
from services.linker.app import create_app as linker_app
from services.linker.models import Assignment, Event
from services.linker.models import OptOut as LinkerOptOut
from services.linker.settings import LinkerSettings
from services.pseudonymiser.app import create_app as pseudonymiser_app
from services.pseudonymiser.models import IdentityRecord, Person
from services.pseudonymiser.settings import PseudonymiserSettings
from services.reidentify.app import create_app as reidentify_app
from services.reidentify.models import FlagRow
from services.reidentify.settings import ReidentifySettings
from services.scorer.app import create_app as scorer_app
from services.scorer.models import Evaluation
from services.scorer.settings import ScorerSettings
from tests.support import eventually, send

ROOT = Path(__file__).resolve().parents[2]
PURPOSE = "early-help-triage"
TRIAGE, RESEARCH = "isa-triage-p1y", "isa-research-p5y"
OPTOUTS = "isa-optout-tests"
SLICES = ("pseudonymiser", "linker", "scorer", "reidentify")
GP = ("gp-p81001", "gp-p81001")
SCHOOL = ("schools-la", "school-census")


def migrations(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


class Fed:
    def __init__(self, nats_env, apps, clients, gateway):
        self.nats_env, self.apps, self.clients, self.gateway = nats_env, apps, clients, gateway

    def admin(self, service: str, *roles: str) -> dict:
        token = self.nats_env.token(service, subject="dpo-1", roles=list(roles or ["admin"]),
                                    org="council")
        return {"Authorization": f"Bearer {token}"}

    async def send(self, subject: str, message) -> None:
        await send(self.gateway, subject, message)

    async def agreement(self, agreement: str, revision: int, purposes: list[str],
                        retention: str, ended_on: date | None = None) -> None:
        await self.send(subjects.AGREEMENTS.subject, m.AgreementNotice(
            agreement=agreement, revision=revision, purposes=purposes, retention=retention,
            valid_from=date(2026, 1, 1), ended_on=ended_on))

    async def person(self, token: str, family: str, agreement: str) -> None:
        row = m.IdentityRow(record_token=token, local_id=f"L-{token}", given_name="Robin",
                            family_name=family, date_of_birth=date(2012, 3, 4), sex="F",
                            address="1 Mill Lane, Oldham", postcode="OL1 1AA")
        await self.send(subjects.IDENTITY.for_dataset(GP[1]), m.IdentityBatch(
            batch_id=uuid.uuid4().hex, chunk=0, partner=GP[0], dataset=GP[1],
            level="person", agreement=agreement, rows=[row]))

    async def events(self, token: str, source: tuple[str, str], codes: list[str],
                     agreement: str) -> None:
        today = date.today()
        rows = [m.EventRow(record_token=token, event_token=uuid.uuid4().hex, code=c,
                           occurred_on=today - timedelta(days=10 + i))
                for i, c in enumerate(codes)]
        await self.send(subjects.EVENTS.for_dataset(source[1]), m.EventBatch(
            batch_id=uuid.uuid4().hex, chunk=0, partner=source[0], dataset=source[1],
            level="person", agreement=agreement, events=rows))

    async def count(self, service: str, stmt) -> int:
        async with state_of(self.apps[service]).sessionmaker() as session:
            return (await session.execute(stmt)).scalar_one()

    async def pseudonym(self, token: str) -> str | None:
        async with state_of(self.apps["pseudonymiser"]).sessionmaker() as session:
            return (await session.execute(
                select(Person.pseudonym).join(IdentityRecord, IdentityRecord.person_id == Person.id)
                .where(IdentityRecord.record_token == token))).scalar_one_or_none()

    async def active_flag(self, pseudonym: str) -> bool:
        return bool(await self.count("reidentify", select(func.count()).select_from(FlagRow)
                                     .where(FlagRow.pseudonym == pseudonym,
                                            FlagRow.active.is_(True))))

    async def unlock(self, pseudonym: str) -> httpx.Response:
        token = self.nats_env.token("reidentify", subject="cw-1", roles=["caseworker"],
                                    districts=["OL1"], purposes=[PURPOSE], org="council")
        return await self.clients["reidentify"].post(
            "/v1/unlock", headers={"Authorization": f"Bearer {token}"},
            json={"pseudonym": pseudonym, "purpose": PURPOSE,
                  "justification": "Early help panel: agreed referral discussion"})

    async def holdings(self, service: str, agreement: str) -> dict:
        r = await self.clients[service].get(f"/v1/agreements/{agreement}/holdings",
                                            headers=self.admin(service, "auditor"))
        assert r.status_code == 200, r.text
        return r.json()["counts"]

    def set_clock(self, when: datetime) -> None:
        for name in SLICES:
            state_of(self.apps[name]).clock = lambda when=when: when

    async def optout(self, token: str, family: str, scope: str = "all") -> None:
        """A partner's opt-out list as the gateway sends it: identity part and decision."""
        batch_id = uuid.uuid4().hex
        row = m.IdentityRow(record_token=token, local_id=f"L-{token}", given_name="Robin",
                            family_name=family, date_of_birth=date(2012, 3, 4), sex="F",
                            address="1 Mill Lane, Oldham", postcode="OL1 1AA")
        await self.send(subjects.OPTOUTS.for_dataset(GP[1]), m.IdentityBatch(
            batch_id=batch_id, chunk=0, partner=GP[0], dataset=GP[1], level="person",
            agreement=OPTOUTS, rows=[row]))
        await self.send(subjects.CONSENT_REQUESTS.subject, m.ConsentRequestBatch(
            batch_id=batch_id, chunk=0, partner=GP[0], dataset=GP[1], items=[
                m.ConsentRequest(record_token=token, scope=scope, evidence="form-7",
                                 notice_version="v3", decided_on=date.today())]))

    async def decide(self, pseudonym: str, status: str, scope: str = "all") -> None:
        token = self.nats_env.token("consent", subject="dpo-2", roles=["dpo"],
                                    districts=["OL1"], purposes=[PURPOSE], org="council")
        r = await self.clients["consent"].post(
            "/v1/decisions", headers={"Authorization": f"Bearer {token}"},
            json={"pseudonym": pseudonym, "status": status, "scope": scope,
                  "evidence": "assessment-12", "notice_version": "v3",
                  "decided_on": date.today().isoformat()})
        assert r.status_code == 201, r.text

    async def none_of(self, token: str, partner: str | None = None) -> bool:
        return await self.events_of(token, partner) == 0

    async def events_of(self, token: str, partner: str | None = None) -> int:
        stmt = select(func.count()).select_from(Event).where(Event.record_token == token)
        if partner:
            stmt = stmt.where(Event.partner == partner)
        return await self.count("linker", stmt)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def fed(nats_env, tmp_path_factory):
    var = tmp_path_factory.mktemp("slices")
    urls = {s: f"sqlite+aiosqlite:///{var / (s + '.db')}" for s in (*SLICES, "consent")}
    for s in urls:
        run_migrations(migrations(s), urls[s])
    apps = {
        "pseudonymiser": pseudonymiser_app(PseudonymiserSettings(
            **nats_env.settings_kwargs("pseudonymiser", urls["pseudonymiser"]),
            person_key_path=nats_env.layout.key("pseudonym-person"),
            household_key_path=nats_env.layout.key("pseudonym-household"))),
        "linker": linker_app(LinkerSettings(**{
            **nats_env.settings_kwargs("linker", urls["linker"]), "profile_interval_s": 0.1})),
        "scorer": scorer_app(ScorerSettings(**nats_env.settings_kwargs("scorer", urls["scorer"]))),
        "reidentify": reidentify_app(ReidentifySettings(
            **nats_env.settings_kwargs("reidentify", urls["reidentify"]),
            log_signing_key_path=var / "keys" / "log.pem",
            signed_heads_path=var / "exports" / "heads.jsonl", head_signing_interval_s=3600)),
        "consent": consent_app(ConsentSettings(
            **nats_env.settings_kwargs("consent", urls["consent"]))),
    }
    gateway = await nats_env.bus("gateway")

    async def meanings(msg):  # the gateway's registry, asked by the linker's export
        query = gateway.receive(subjects.MEANINGS, msg.subject, msg.data, msg.headers)
        await gateway.respond(msg, m.MeaningsReply(meanings=[
            m.CodeMeaning(dataset=d, code=c, meaning=f"meaning of {d}/{c}")
            for d, c in query.codes]))

    await gateway.nc.subscribe(subjects.MEANINGS.subject, cb=meanings)
    clients: dict = {}
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    try:
        for ctx in contexts:
            await ctx.__aenter__()
        for name, app in apps.items():
            clients[name] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                              base_url="http://test")
        f = Fed(nats_env, apps, clients, gateway)
        await f.send(subjects.CODES.subject, m.CodeCatalogue(
            dataset=GP[1], partner=GP[0], codes=[
                m.CodeCategory(code=c, category="health", headline="health")
                for c in ("GP1", "GP2", "GP3")]))
        await f.send(subjects.CODES.subject, m.CodeCatalogue(
            dataset=SCHOOL[1], partner=SCHOOL[0], codes=[
                m.CodeCategory(code=c, category="non_health", headline="school-attendance")
                for c in ("SCH1", "SCH2", "SCH3")]))
        yield f
    finally:
        for client in clients.values():
            await client.aclose()
        for ctx in reversed(contexts):
            await ctx.__aexit__(None, None, None)
        await gateway.nc.close()


async def test_purpose_limitation_retention_and_ending(fed):
    await fed.agreement(TRIAGE, 1, [PURPOSE], "P1Y")
    await fed.agreement(RESEARCH, 1, ["research"], "P5Y")
    # x: GP data under the triage agreement, school data under the research one;
    # y: everything under the triage agreement
    await fed.person("r_x", "Ashworth", TRIAGE)
    await fed.person("r_y", "Brierley", TRIAGE)
    await fed.events("r_x", GP, ["GP1", "GP2", "GP3"], TRIAGE)
    await fed.events("r_x", SCHOOL, ["SCH1", "SCH2", "SCH3"], RESEARCH)
    await fed.events("r_y", GP, ["GP1", "GP2", "GP3"], TRIAGE)
    await fed.events("r_y", SCHOOL, ["SCH1", "SCH2", "SCH3"], TRIAGE)
    x = await eventually(lambda: fed.pseudonym("r_x"))
    y = await eventually(lambda: fed.pseudonym("r_y"))
    assert x != y
    await eventually(lambda: fed.active_flag(x), timeout=60)
    await eventually(lambda: fed.active_flag(y), timeout=60)
    async with state_of(fed.apps["reidentify"]).sessionmaker() as s:
        row = await s.get(FlagRow, (x, "oldham-gp-pilot"))
        assert row.agreements == f" {RESEARCH} {TRIAGE} "

    # purpose limitation: x's flag rests on data shared only for research
    r = await fed.unlock(x)
    assert r.status_code == 403 and "purpose" in r.json()["detail"], r.text
    r = await fed.unlock(y)
    assert r.status_code == 200, r.text
    assert r.json()["subjects"][0]["family_name"] == "Brierley"

    # the report per agreement, per slice (counts only)
    assert (await fed.holdings("linker", RESEARCH))["events"] == 3
    assert (await fed.holdings("linker", TRIAGE))["events"] == 9
    assert (await fed.holdings("pseudonymiser", TRIAGE))["identity_records"] == 2
    assert (await fed.holdings("scorer", RESEARCH))["evaluations"] >= 1
    assert (await fed.holdings("reidentify", TRIAGE))["active_flags"] >= 2

    # subject access: a DPO's case; the person found through the pseudonymiser, then each
    # slice's part by pseudonym, each release in the access log first
    r = await fed.clients["reidentify"].post(
        "/v1/subject-access/cases", headers=fed.admin("reidentify", "dpo"),
        json={"reference": "SAR-2026-0007", "requester": "data-subject",
              "justification": "Subject access request received by post, ID checked"})
    assert r.status_code == 201, r.text
    case = r.json()["case_id"]
    r = await fed.clients["pseudonymiser"].post(
        "/v1/subject-access/search", headers=fed.admin("pseudonymiser", "dpo"),
        json={"case": case, "family_name": "ashworth", "date_of_birth": "2012-03-04"})
    assert r.status_code == 200 and [p["pseudonym"] for p in r.json()["persons"]] == [x]
    export = {}
    for service in SLICES + ("consent",):
        r = await fed.clients[service].get(f"/v1/subject-access/{x}", params={"case": case},
                                           headers=fed.admin(service, "dpo"))
        assert r.status_code == 200, (service, r.text)
        export[service] = r.json()
    assert len({e["access_id"] for e in export.values()}) == len(export)
    assert export["pseudonymiser"]["records"][0]["family_name"] == "Ashworth"
    assert len(export["linker"]["events"]) == 6
    assert {e["agreement"] for e in export["linker"]["events"]} == {TRIAGE, RESEARCH}
    assert all(e["meaning"] == f"meaning of {e['dataset']}/{e['code']}"
               for e in export["linker"]["events"])
    assert export["scorer"]["evaluations"][0]["agreements"] == [RESEARCH, TRIAGE]
    assert export["reidentify"]["accesses"][0]["reason"] == "purpose"
    for role in ("caseworker", "auditor", "admin"):  # a case is for a DPO
        r = await fed.clients["linker"].get(f"/v1/subject-access/{x}", params={"case": case},
                                            headers=fed.admin("linker", role))
        assert r.status_code == 403, role

    # retention: 400 days on, the triage agreement's one year has passed, not research's 5
    fed.set_clock(datetime.now(UTC) + timedelta(days=400))
    r = await fed.clients["linker"].post("/v1/retention/sweep", headers=fed.admin("linker"))
    assert r.status_code == 200 and r.json()["deleted"] == 9

    async def triage_gone():
        for service in SLICES:
            await state_of(fed.apps[service]).retention.sweep()
        counts = [
            await fed.count("linker", select(func.count()).select_from(Event)
                            .where(Event.agreement == TRIAGE)),
            await fed.count("pseudonymiser", select(func.count()).select_from(IdentityRecord)
                            .where(IdentityRecord.agreement == TRIAGE)),
            await fed.count("scorer", select(func.count()).select_from(Evaluation)
                            .where(Evaluation.agreements.contains(TRIAGE))),
            await fed.count("reidentify", select(func.count()).select_from(FlagRow)
                            .where(FlagRow.agreements.contains(TRIAGE))),
        ]
        return counts == [0, 0, 0, 0]

    await eventually(triage_gone, timeout=30)
    assert not await fed.active_flag(x) and not await fed.active_flag(y)
    assert (await fed.holdings("linker", RESEARCH))["events"] == 3  # within its 5 years

    # ending the research agreement removes its data everywhere, and what arrives late
    fed.set_clock(datetime.now(UTC))
    await fed.agreement(RESEARCH, 2, ["research"], "P5Y", ended_on=date.today())
    await fed.events("r_x", SCHOOL, ["SCH1"], RESEARCH)

    async def research_gone():
        totals = [sum((await fed.holdings(s, RESEARCH)).values()) for s in SLICES]
        return totals == [0, 0, 0, 0]

    await eventually(research_gone, timeout=30)
    r = await fed.clients["scorer"].get("/v1/agreements", headers=fed.admin("scorer"))
    [known] = [a for a in r.json() if a["agreement"] == RESEARCH]
    assert known["ended_on"] == date.today().isoformat() and known["revision"] == 2


async def test_sweep_as_of_needs_an_admin_and_an_offset(fed):
    client = fed.clients["reidentify"]
    r = await client.post("/v1/retention/sweep", headers=fed.admin("reidentify", "auditor"))
    assert r.status_code == 403
    r = await client.post("/v1/retention/sweep", headers=fed.admin("reidentify"),
                          json={"as_of": "2030-01-01T00:00:00"})
    assert r.status_code == 422
    r = await client.post("/v1/retention/sweep", headers=fed.admin("reidentify"),
                          json={"as_of": "2026-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json()["service"] == "reidentify"


async def settled(check, *, rounds: int = 5) -> None:
    """The check holds now and still holds a few polls later (nothing arrives late)."""
    await eventually(check, timeout=30)
    for _ in range(rounds):
        assert await check()
        await asyncio.sleep(0.3)


async def test_opt_out_before_data_arrives(fed):
    await fed.agreement(OPTOUTS, 1, [PURPOSE], "P2Y")
    await fed.optout("r_z", "Clegg")
    z = await eventually(lambda: fed.pseudonym("r_z"))
    r = await fed.clients["consent"].get(
        "/v1/decisions", params={"pseudonym": z},
        headers={"Authorization": "Bearer " + fed.nats_env.token(
            "consent", roles=["dpo"], districts=[], purposes=[], org="council")})
    await eventually(lambda: fed.count("linker", select(func.count()).select_from(
        LinkerOptOut).where(LinkerOptOut.person == z, LinkerOptOut.status == "opt_out")))
    # the same person's data arrives afterwards, from two partners: none of it is kept
    await fed.person("r_z2", "Clegg", OPTOUTS)
    await fed.events("r_z2", GP, ["GP1", "GP2", "GP3"], OPTOUTS)
    await fed.events("r_z2", SCHOOL, ["SCH1", "SCH2", "SCH3"], OPTOUTS)
    assert await eventually(lambda: fed.pseudonym("r_z2")) == z
    # a later batch on the same stream has been applied, so r_z2's were too
    await fed.events("r_marker", SCHOOL, ["SCH1"], OPTOUTS)
    await eventually(lambda: fed.events_of("r_marker"))
    await eventually(lambda: fed.count("linker", select(func.count()).select_from(
        Assignment).where(Assignment.record_token == "r_z2", Assignment.withheld.is_(True))))

    async def nothing_kept():
        return (await fed.events_of("r_z2") == 0 and not await fed.active_flag(z)
                and not await fed.count("scorer", select(func.count()).select_from(Evaluation)
                                        .where(Evaluation.pseudonym == z)))

    await settled(nothing_kept)
    assert r.status_code == 200


async def test_opt_out_after_data_scoped_then_all_then_reconsent(fed):
    await fed.agreement(OPTOUTS, 1, [PURPOSE], "P2Y")
    await fed.person("r_w", "Dearden", OPTOUTS)
    await fed.events("r_w", GP, ["GP1", "GP2", "GP3"], OPTOUTS)
    await fed.events("r_w", SCHOOL, ["SCH1", "SCH2", "SCH3"], OPTOUTS)
    w = await eventually(lambda: fed.pseudonym("r_w"))
    await eventually(lambda: fed.active_flag(w), timeout=30)

    # GP data only: the GP's events go, the school's stay; the flag no longer holds
    await fed.decide(w, "opt_out", f"partner:{GP[0]}")
    await eventually(lambda: fed.none_of("r_w", GP[0]), timeout=30)

    async def school_kept():
        return (await fed.events_of("r_w", SCHOOL[0]) == 3
                and not await fed.active_flag(w))

    await settled(school_kept)

    # everything: the rest is withheld (kept, in no profile: the flag goes) until the
    # sweep erases it; the unlock is refused
    await fed.decide(w, "opt_out", "all")

    async def withheld_everywhere():
        held = await fed.count("linker", select(func.count()).select_from(Assignment).where(
            Assignment.record_token == "r_w", Assignment.withheld.is_(True)))
        return (held == 1 and await fed.events_of("r_w", SCHOOL[0]) == 3
                and not await fed.active_flag(w))

    await settled(withheld_everywhere)

    # withdrawal of the objection (consent again): new data is kept and flags again
    await fed.decide(w, "consent", "all")
    await fed.decide(w, "consent", f"partner:{GP[0]}")

    async def lifted():
        # the linker's own opt-outs are lifted, and the pseudonymiser's new assignment
        # (no longer withheld) has arrived: until then the linker drops the person's
        # events, as it must while the person is withheld (the two travel separately, and
        # under load the assignment came second)
        n = await fed.count("linker", select(func.count()).select_from(LinkerOptOut)
                            .where(LinkerOptOut.person == w, LinkerOptOut.status == "opt_out"))
        withheld = await fed.count("linker", select(func.count()).select_from(Assignment)
                                   .where(Assignment.record_token == "r_w",
                                          Assignment.withheld.is_(True)))
        return n == 0 and withheld == 0

    await eventually(lifted, timeout=30)
    await fed.events("r_w", GP, ["GP1", "GP2", "GP3"], OPTOUTS)
    await fed.events("r_w", SCHOOL, ["SCH1", "SCH2", "SCH3"], OPTOUTS)
    await eventually(lambda: fed.active_flag(w), timeout=30)
    # the withheld school events are back beside the new ones; the GP's went for good
    assert await fed.events_of("r_w") == 9
