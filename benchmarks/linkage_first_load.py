"""A council's first load with the linkage model learnt online: no manual step, no
service stopped.

    PYTHONPATH=. .venv/bin/python -m benchmarks.linkage_first_load \
        [--datasets febrl3,febrl4] [--historic 0.8] [--days 10] [--seed 7] \
        [--quiet-s 10] [--burst] [--no-follow-up] [--out benchmarks/linkage_first_load.json]

For each dataset a fresh federation (real processes, SQLite, JetStream) starts in a
temporary directory (kept, with the services' logs), as in benchmarks.linkage_federation,
whose FEBRL rows, registry, upload and metrics this reuses. The rows (FEBRL4: A's and
B's together, each keeping its own dataset and partner) are shuffled with the seed:

1. historic load: the first `--historic` share goes through the gateway, 500 rows a
   request (linkage_federation.upload), and is waited for until the pseudonymiser has
   processed every batch; linked with the bundled model, incrementally. Its quality is
   measured then (over the true pairs whose two records were sent).
2. the service's own policy trains: nothing is POSTed. The benchmark polls
   GET /v1/linkage/model (a linkage officer's token) until the job runs, and reports how
   long after the end of the historic load it started (by the job's started_at). The
   one setting changed is TESSERA_PSEUDONYMISER_LEARN_QUIET_S (`--quiet-s`, 10 s instead
   of 30 s: the pause in arriving batches the policy waits for); the other learn_*
   settings are the defaults (1000 records, growth 0.25, a check every 10 s).
3. while the job is in its `training` stage, daily batches: the other rows cut into
   `--days` days in order, each day one request per dataset present that day (rows
   the gateway refuses a field of sent again with it blank, as linkage_federation
   does). At most the first half of the days go here, and only while the stage is
   `training` (read before each day; the days left over go to step 4). By default each
   day is waited for until processed (deploy.demo.wait_batches, polled every 0.1 s)
   and the next sent straight after: the rate is records linked (rows the gateway
   accepted) / seconds from the day's first POST to all its batches processed, summed
   over the days that began and ended in `training`. With `--burst` each day is sent as
   soon as the gateway has accepted the one before and all are waited for at the end:
   the rate is over the whole burst, counted only if it ended in `training` too.
4. the job is waited for until it ends (its seconds per stage, merges, splits, check
   are printed); once the federation is idle (its services used under 0.3 CPU seconds
   in each of two 2-second windows) the other days are sent the same way: the
   undisturbed rate (days during which no job ran). ratio = rate while training /
   undisturbed rate (target >= 0.5).
5. record -> person read from the pseudonymiser's database and scored against FEBRL's
   truth (linkage_federation.measure; target pairwise F1 >= 0.995), with the true pairs
   missed and the false pairs made, by when their records arrived (historic, a day
   while training, a day after). Unless `--no-follow-up`: the whole load held, the
   policy may train again (held records grown by learn_growth); that job is waited for
   and the quality measured once more.

CPU seconds of each service and the machine's busy share are reported for each phase,
with the pseudonymiser's per-call stage timings from its log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.linkage_federation import (
    febrl3,
    febrl4,
    measure,
    read_assignments,
    registry,
    rid,
    upload,
)
from benchmarks.linkage_speed import cpu_seconds, stage_seconds
from deploy.cli import token_factory
from deploy.demo import DemoApi, wait_batches
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES

LOADERS = {"febrl3": febrl3, "febrl4": febrl4}
F1_TARGET = 0.995
RATIO_TARGET = 0.5


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --- the rows: historic load and days ------------------------------------------------------

Row = tuple[str, str, dict]  # partner, dataset, row


def by_dataset(rows: list[Row], order: list[tuple[str, str]]) -> list[tuple[str, str, list]]:
    """Rows grouped per (partner, dataset) in `order`, each keeping the shuffled order."""
    out = []
    for partner, dataset in order:
        mine = [r for p, d, r in rows if (p, d) == (partner, dataset)]
        if mine:
            out.append((partner, dataset, mine))
    return out


def split(data: dict, historic: float, days: int, seed: int) -> tuple[list, list[list]]:
    rows = [(p, d, r) for p, d, part in data["uploads"] for r in part]
    random.Random(seed).shuffle(rows)
    order = [(p, d) for p, d, _ in data["uploads"]]
    cut = round(len(rows) * historic)
    rest = rows[cut:]
    size = -(-len(rest) // days)
    return (by_dataset(rows[:cut], order),
            [by_dataset(rest[i:i + size], order) for i in range(0, len(rest), size)])


def ids_of(uploads: list) -> set[str]:
    return {rid(p, d, r["local_id"]) for p, d, rows in uploads for r in rows}


def subset(data: dict, ids: set[str]) -> dict:
    """The truth over the records sent so far."""
    return {"truth": {(a, b) for a, b in data["truth"] if a in ids and b in ids},
            "entity": {r: e for r, e in data["entity"].items() if r in ids}}


def diagnose(db: Path, data: dict, phase_of: dict[str, str], sample: int = 10) -> dict:
    """True pairs missed and false pairs made, by the phases their records arrived in."""
    assign = read_assignments(db)
    missed = sorted((a, b) for a, b in data["truth"]
                    if a not in assign or assign.get(a) != assign.get(b))

    def kind(a: str, b: str) -> str:
        return " + ".join(sorted((phase_of.get(a, "?"), phase_of.get(b, "?"))))

    members: dict[int, list[str]] = {}
    for r, p in assign.items():
        members.setdefault(p, []).append(r)
    false = []
    for recs in members.values():
        recs.sort()
        false += [(a, b) for i, a in enumerate(recs) for b in recs[i + 1:]
                  if data["entity"].get(a) != data["entity"].get(b)]
    return {"true_pairs_by_phase": dict(Counter(kind(a, b) for a, b in data["truth"])),
            "missed_by_phase": dict(Counter(kind(a, b) for a, b in missed)),
            "missed_unheld": sum(1 for a, b in missed if a not in assign or b not in assign),
            "missed_sample": [[a.rsplit("|", 1)[1], b.rsplit("|", 1)[1]]
                              for a, b in missed[:sample]],
            "false_by_phase": dict(Counter(kind(a, b) for a, b in false)),
            "false_sample": [[a.rsplit("|", 1)[1], b.rsplit("|", 1)[1]]
                             for a, b in false[:sample]]}


# --- the federation as a partner and a linkage officer see it --------------------------------

class Officer:
    """GET /v1/linkage/model, noting each job state and stage change."""

    def __init__(self, client: httpx.AsyncClient, fed: Federation, tokens, clock: float):
        self.client, self.tokens, self.clock = client, tokens, clock
        self.url = fed.url("pseudonymiser") + "/v1/linkage/model"
        self.timeline: list[dict] = []
        self._last = None

    async def status(self) -> dict:
        token = self.tokens("pseudonymiser", subject="bench-officer", roles=["linkage-officer"])
        response = await self.client.get(self.url, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        status = response.json()
        job = status["job"] or {}
        now = (job.get("id"), job.get("state"), job.get("stage"))
        if now != self._last:
            self._last = now
            self.timeline.append({"t": round(time.perf_counter() - self.clock, 1),
                                  "job": now[0], "state": now[1], "stage": now[2],
                                  "held": status["held_records"]})
            say(f"job {now[0]}: {now[1]} {now[2]} (held {status['held_records']})")
        return status

    async def until(self, test, poll: float, timeout: float, what: str) -> dict:
        deadline = time.perf_counter() + timeout
        while True:
            status = await self.status()
            if test(status):
                return status
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{what}: not after {timeout:.0f} s")
            await asyncio.sleep(poll)


def brief(status: dict) -> dict:
    job = status["job"] or {}
    return {"job": job.get("id"), "state": job.get("state"), "stage": job.get("stage")}


async def post_day(api: DemoApi, day: list, key: str) -> dict:
    """One day's requests sent at once; rows the gateway refuses a field of are sent
    again with those fields blank, as a partner does. Not waited for."""
    replies = await asyncio.gather(*(api.post_rows(p, d, "identities", rows, f"{key}-{d}")
                                     for p, d, rows in day))
    batches = [(p, reply["batch_id"]) for (p, _, _), reply in zip(day, replies, strict=True)]
    accepted = sum(reply["accepted"] for reply in replies)
    again = []
    for (p, d, rows), reply in zip(day, replies, strict=True):
        fixed = []
        for bad in reply.get("rejected") or []:
            named = {e["field"] for e in bad["errors"]} - {"local_id"}
            fixed.append({k: (None if k in named else v) for k, v in rows[bad["row"]].items()})
        if fixed:
            again.append((p, d, fixed))
    rejected = 0
    if again:
        more = await asyncio.gather(*(api.post_rows(p, d, "identities", rows,
                                                    f"{key}-{d}-fixed")
                                      for p, d, rows in again))
        batches += [(p, reply["batch_id"]) for (p, _, _), reply in zip(again, more,
                                                                        strict=True)]
        accepted += sum(reply["accepted"] for reply in more)
        rejected = sum(len(reply.get("rejected") or []) for reply in more)
    return {"rows": sum(len(rows) for _, _, rows in day), "requests": len(batches),
            "records_linked": accepted, "rejected": rejected, "batches": batches}


async def send_days(api: DemoApi, officer: Officer, days: list, first: int, last: int,
                    key: str, *, training: bool, burst: bool) -> dict:
    """Days first..last-1 in turn, the job's stage read before and after each. Paced by
    linkage (each day waited for until processed, the next sent straight after), or with
    `burst` each day sent once the gateway has accepted the one before and all waited
    for at the end. With `training`, no day is sent unless the job is in its training
    stage; the rate counts the days that began and ended in it (burst: all or none)."""
    sent: list[dict] = []
    note, pending = None, []
    start = time.perf_counter()
    for i in range(first, last):
        before = brief(await officer.status())
        if training and (before["state"] != "running" or before["stage"] != "training"):
            note = (f"training ended after {i - first} of {last - first} days "
                    f"(stage {before['stage']}, state {before['state']})")
            break
        clock = time.perf_counter()
        day = await post_day(api, days[i], f"{key}-day{i}")
        batches = day.pop("batches")
        day.update(day=i, before=before)
        if burst:
            pending += batches
        else:
            await wait_batches(api, batches, poll=0.1, timeout=600)
            day["seconds"] = round(time.perf_counter() - clock, 3)
            day["rate"] = round(day["records_linked"] / day["seconds"], 1)
            day["after"] = brief(await officer.status())
            say(f"{key} day {i}: {day['records_linked']} records in {day['seconds']} s "
                f"({day['rate']}/s), {before['stage']} -> {day['after']['stage']}")
        sent.append(day)
    if burst and pending:
        await wait_batches(api, pending, poll=0.1, timeout=600)
    seconds = time.perf_counter() - start
    after = brief(await officer.status())
    if burst and sent:
        say(f"{key} days {first}-{sent[-1]['day']}: "
            f"{sum(d['records_linked'] for d in sent)} records in {seconds:.3f} s, "
            f"{sent[0]['before']['stage']} -> {after['stage']}")
    out = {"days": len(sent), "day_list": sent, "note": note, "after": after}
    if burst:
        whole = bool(sent) and (not training or (
            after["stage"] == "training" and after["job"] == sent[0]["before"]["job"]))
        counted = sent if whole else []
        out["seconds"] = round(seconds, 3) if counted else 0.0
        if sent and not whole:
            out["note"] = (note + "; " if note else "") + "the burst ended after training"
    else:
        if training:
            counted = [d for d in sent if d["before"]["stage"] == d["after"]["stage"]
                       == "training" and d["after"]["job"] == d["before"]["job"]]
        else:  # undisturbed: no job running either side
            counted = [d for d in sent if d["before"]["state"] != "running"
                       and d["after"]["state"] != "running"]
        out["seconds"] = round(sum(d["seconds"] for d in counted), 3)
        if len(counted) < len(sent):
            out["note"] = (note + "; " if note else "") + (
                f"{len(sent) - len(counted)} day(s) not counted (a job stage changed or "
                "a job ran)")
    out["days_counted"] = len(counted)
    out["records_linked"] = sum(d["records_linked"] for d in counted)
    out["rate"] = (round(out["records_linked"] / out["seconds"], 1) if out["seconds"]
                   else None)
    return out


async def idle(fed: Federation, cpu_s: float = 0.3, window_s: float = 2.0,
               timeout: float = 120.0) -> None:
    """Wait until the services used under `cpu_s` of CPU in each of two windows in a row
    (after a re-link the linker and the scorer apply its re-assignments). Not
    linkage_speed.quiet: its consumer backlog asks NATS for durable consumers of the
    token-revocation broadcast too, which do not exist (404)."""
    pids = [proc.pid for proc in fed.procs.values()]
    calm, deadline = 0, time.perf_counter() + timeout
    while calm < 2 and time.perf_counter() < deadline:
        before = sum(cpu_seconds(p) for p in pids)
        await asyncio.sleep(window_s)
        calm = calm + 1 if sum(cpu_seconds(p) for p in pids) - before < cpu_s else 0


class Usage:
    """CPU seconds of each service and the machine's busy share over a phase."""

    def __init__(self, fed: Federation, log: Path):
        self.fed, self.log = fed, log
        self.pids = {s: p.pid for s, p in fed.procs.items()}
        self.start()

    @staticmethod
    def _machine() -> tuple[int, int]:
        # user nice system idle iowait irq softirq steal (guest time is in user already)
        line = Path("/proc/stat").read_text().split("\n", 1)[0]
        fields = [int(x) for x in line.split()[1:9]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def start(self) -> None:
        self.cpu = {s: cpu_seconds(p) for s, p in self.pids.items()}
        self.machine = self._machine()
        self.offset = self.log.stat().st_size
        self.clock = time.perf_counter()

    def stop(self) -> dict:
        busy, total = self._machine()
        calls = stage_seconds(self.log, self.offset)
        return {"seconds": round(time.perf_counter() - self.clock, 2),
                "cpu_seconds": {s: round(cpu_seconds(p) - self.cpu[s], 2)
                                for s, p in self.pids.items()},
                "machine_busy_share": round((busy - self.machine[0])
                                            / max(1, total - self.machine[1]), 3),
                "pseudonymiser_calls": calls}


def job_summary(job: dict | None) -> dict | None:
    if job is None:
        return None
    keep = ("id", "reason", "state", "stage", "error", "records", "caught_up", "model_version",
            "pairs_scored", "pieces", "merges", "splits", "moved_records", "review_superseded",
            "review_queued", "seconds", "check", "started_at", "finished_at")
    return {k: job.get(k) for k in keep}


# --- one dataset --------------------------------------------------------------------------------

async def run_dataset(name: str, args) -> dict:
    data = LOADERS[name](not args.no_locality)
    historic, days = split(data, args.historic, args.days, args.seed)
    phase_of = dict.fromkeys(ids_of(historic), "historic")
    root = Path(tempfile.mkdtemp(prefix=f"tessera-firstload-{name}-"))
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     extra_env={"gateway": {"TESSERA_GATEWAY_REGISTRY_PATH":
                                            str(registry(root / "registry.yaml"))},
                                "pseudonymiser": {"TESSERA_PSEUDONYMISER_LEARN_QUIET_S":
                                                  str(args.quiet_s)}})
    db = fed.layout.data / "pseudonymiser.db"
    log = fed.layout.logs / "pseudonymiser.log"
    result: dict = {"dataset": name, "records": len(data["entity"]), "seed": args.seed,
                    "root": str(root), "learn_quiet_s": args.quiet_s,
                    "historic_rows": sum(len(rows) for _, _, rows in historic),
                    "daily_rows": [sum(len(rows) for _, _, rows in day) for day in days]}
    say(f"{name}: federation in {root}")
    began = time.perf_counter()
    await asyncio.to_thread(fed.start)
    try:
        tokens = token_factory(fed.layout)
        usage = Usage(fed, log)
        # 1. the historic load
        t0 = time.perf_counter()
        rejected, why = await upload(fed, {"uploads": historic})
        loaded_at, loaded_wall = time.perf_counter(), datetime.now(UTC)
        result["historic"] = {"seconds": round(loaded_at - t0, 1), "rejected_fields": why,
                              "usage": usage.stop()}
        say(f"{name}: historic load of {result['historic_rows']} rows in "
            f"{loaded_at - t0:.1f} s ({rejected} rejected)")
        async with httpx.AsyncClient(timeout=120) as client:
            api = DemoApi(client, fed.url("gateway"), fed.url("scorer"),
                          fed.url("reidentify"), tokens)
            officer = Officer(client, fed, tokens, loaded_at)
            result["historic"]["quality"] = await asyncio.to_thread(
                measure, db, subset(data, ids_of(historic)), rejected)
            # 2. the policy starts a job by itself
            status = await officer.until(lambda s: s["job"] is not None, 0.5,
                                         args.quiet_s + 120, "no job started")
            job = status["job"]
            started = datetime.fromisoformat(job["started_at"].replace("Z", "+00:00"))
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            result["job_start"] = {
                "after_historic_s": round((started - loaded_wall).total_seconds(), 1),
                "seen_after_s": round(time.perf_counter() - loaded_at, 1),
                "reason": job["reason"], "held": status["held_records"]}
            status = await officer.until(
                lambda s: s["job"]["state"] != "running" or s["job"]["stage"] != "snapshot",
                0.1, 300, "the job's snapshot")
            # 3. daily batches while training (at most half the days)
            usage.start()
            half = len(days) // 2
            result["while_training"] = await send_days(
                api, officer, days, 0, half, f"firstload-{name}", training=True,
                burst=args.burst)
            result["while_training"]["usage"] = usage.stop()
            sent = result["while_training"]["day_list"]
            for day in sent:
                phase_of.update(dict.fromkeys(ids_of(days[day["day"]]), "training day"))
            # 4. the job ends; then the other days, undisturbed
            status = await officer.until(lambda s: s["job"]["state"] != "running", 1.0,
                                         args.job_timeout, "the job did not end")
            result["job"] = job_summary(status["job"])
            result["after_job"] = {"active": status["active"], "in_use": status["in_use"],
                                   "next_training_at": status["next_training_at"],
                                   "held": status["held_records"]}
            say(f"{name}: job {result['job']['state']}: {json.dumps(result['job'])}")
            t1 = time.perf_counter()
            await idle(fed)
            result["after_job"]["idle_wait_s"] = round(time.perf_counter() - t1, 1)
            usage.start()
            result["undisturbed"] = await send_days(
                api, officer, days, len(sent), len(days), f"firstload-{name}",
                training=False, burst=args.burst)
            result["undisturbed"]["usage"] = usage.stop()
            later = result["undisturbed"]["day_list"]
            for day in later:
                phase_of.update(dict.fromkeys(ids_of(days[day["day"]]), "day after"))
            rejected += sum(d["rejected"] for d in sent + later)
            fast, slow = result["while_training"]["rate"], result["undisturbed"]["rate"]
            result["ratio"] = round(fast / slow, 3) if fast and slow else None
            result["ratio_target"] = RATIO_TARGET
            # 5. quality at the end
            result["end"] = await asyncio.to_thread(measure, db, data, rejected)
            result["end"]["diagnosis"] = await asyncio.to_thread(diagnose, db, data, phase_of)
            result["f1_target"] = F1_TARGET
            status = await officer.status()
            result["end"]["held"] = status["held_records"]
            result["end"]["next_training_at"] = status["next_training_at"]
            first = result["job"]["id"]
            if not args.no_follow_up and status["next_training_at"] is not None \
                    and status["held_records"] >= status["next_training_at"]:
                say(f"{name}: held {status['held_records']} >= next training at "
                    f"{status['next_training_at']}: waiting for the policy's next job")
                await officer.until(lambda s: (s["job"] or {}).get("id") != first, 1.0,
                                    args.quiet_s + 120, "no second job")
                status = await officer.until(lambda s: s["job"]["state"] != "running", 2.0,
                                             args.job_timeout, "the second job did not end")
                follow = {"job": job_summary(status["job"])}
                follow["quality"] = await asyncio.to_thread(measure, db, data, rejected)
                follow["quality"]["diagnosis"] = await asyncio.to_thread(
                    diagnose, db, data, phase_of)
                result["follow_up"] = follow
            result["timeline"] = officer.timeline
    finally:
        await asyncio.to_thread(fed.stop)
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    return result


def summary(res: dict) -> str:
    def quality(q: dict) -> str:
        pw, acc = q["pairwise"], q["pairwise_accepted"]
        return (f"P={pw['precision']:.4f} R={pw['recall']:.4f} F1={pw['f1']:.4f} "
                f"({pw['true_linked']} of {pw['true']} true pairs, {pw['predicted']} "
                f"predicted; accepted rows F1={acc['f1']:.4f})")

    name, job = res["dataset"], res["job"]
    wt, ud = res["while_training"], res["undisturbed"]
    lines = [f"{name}: historic load {res['historic_rows']} rows in "
             f"{res['historic']['seconds']} s: {quality(res['historic']['quality'])}",
             f"{name}: job started {res['job_start']['after_historic_s']} s after the historic "
             f"load ({res['job_start']['reason']}); {job['state']}"
             + (f" ({job['error']})" if job.get("error") else "")
             + f"; seconds {job['seconds']} merges={job['merges']} "
             f"splits={job['splits']} moved={job['moved_records']} "
             f"caught_up={job['caught_up']} check={job['check']}",
             f"{name}: while training {wt['records_linked']} records in {wt['seconds']} s "
             f"= {wt['rate']}/s over {wt['days_counted']} of {wt['days']} days"
             + (f" [{wt['note']}]" if wt["note"] else ""),
             f"{name}: undisturbed {ud['records_linked']} records in {ud['seconds']} s "
             f"= {ud['rate']}/s over {ud['days_counted']} of {ud['days']} days"
             + (f" [{ud['note']}]" if ud["note"] else "")
             + f"; ratio {res['ratio']} (target >= {RATIO_TARGET})",
             f"{name}: end {quality(res['end'])} (target F1 >= {F1_TARGET}); missed by phase "
             f"{res['end']['diagnosis']['missed_by_phase']}, false by phase "
             f"{res['end']['diagnosis']['false_by_phase']}"]
    if "follow_up" in res:
        f = res["follow_up"]
        lines.append(f"{name}: after the policy's next job ({f['job']['state']}, merges="
                     f"{f['job']['merges']} splits={f['job']['splits']}, seconds "
                     f"{f['job']['seconds']}): {quality(f['quality'])}")
    lines.append(f"{name}: {res['wall_seconds']} s in all")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.linkage_first_load")
    parser.add_argument("--datasets", default="febrl3,febrl4")
    parser.add_argument("--historic", type=float, default=0.8,
                        help="share of the rows in the historic load")
    parser.add_argument("--days", type=int, default=10, help="daily batches for the rest")
    parser.add_argument("--seed", type=int, default=7, help="the rows' shuffle")
    parser.add_argument("--quiet-s", type=float, default=10.0,
                        help="TESSERA_PSEUDONYMISER_LEARN_QUIET_S (the default is 30)")
    parser.add_argument("--burst", action="store_true",
                        help="send each day once the gateway accepted the one before, and "
                        "wait for all at the end (default: each day waited for until linked)")
    parser.add_argument("--job-timeout", type=float, default=1800.0)
    parser.add_argument("--no-follow-up", action="store_true",
                        help="do not wait for the policy's next job after the last day")
    parser.add_argument("--no-locality", action="store_true",
                        help="FEBRL: leave the suburb out (the gateway's locality field)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.days < 2:
        parser.error("--days must be at least 2")
    results = []
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if name not in LOADERS:
            parser.error(f"unknown dataset {name}")
        res = asyncio.run(run_dataset(name, args))
        results.append(res)
        print(summary(res), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps({"results": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
