"""Train a linkage model from a snapshot of the index, in a process of its own:

    python -m services.pseudonymiser.probabilistic.trainer SNAPSHOT.parquet MODEL.json \
        [--seed 42] [--sample N] [--threads 1] [--u-max-pairs 5e6] [--nice 10]

The running pseudonymiser starts this while it goes on linking (services/pseudonymiser/
learning.py): training is seconds to minutes of DuckDB and Python work, and in a process
of its own it neither holds the service's interpreter lock nor keeps its memory after.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from services.pseudonymiser.probabilistic import engine
from services.pseudonymiser.probabilistic.model import TrainingConfig, train


def read_snapshot(path: Path, sample: int | None, seed: int):

    con = engine.connect()
    frame = con.execute("SELECT * FROM read_parquet(?) ORDER BY unique_id", [str(path)]).df()
    if sample and len(frame) > sample:
        frame = frame.sample(n=sample, random_state=seed).reset_index(drop=True)
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.pseudonymiser.probabilistic.trainer")
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--u-max-pairs", type=float, default=TrainingConfig.u_max_pairs)
    parser.add_argument("--nice", type=int, default=0, help="lower this process's priority")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    frame = read_snapshot(args.snapshot, args.sample, args.seed)
    model = train(frame, TrainingConfig(seed=args.seed, u_max_pairs=args.u_max_pairs),
                  threads=args.threads)
    tmp = args.out.with_suffix(".partial")
    tmp.write_text(model.to_json())
    tmp.replace(args.out)  # the caller reads a whole model or none
    return 0


if __name__ == "__main__":
    sys.exit(main())
