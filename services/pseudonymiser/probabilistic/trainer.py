"""Train a linkage model from a snapshot of the index, in a process of its own:

    python -m services.pseudonymiser.probabilistic.trainer SNAPSHOT MODEL.json \
        [--seed 42] [--sample N] [--threads 1] [--u-max-pairs 5e6] [--nice 10] < KEY

SNAPSHOT is the index's sealed snapshot (snapshot.py); its key, in hex, comes on
standard input.

The running pseudonymiser starts this while it goes on linking (services/pseudonymiser/
learning.py): training is seconds to minutes of DuckDB and Python work, and in a process
of its own it neither holds the service's interpreter lock nor keeps its memory after.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from services.pseudonymiser.probabilistic import snapshot as sealed
from services.pseudonymiser.probabilistic.model import TrainingConfig, train


def read_snapshot(path: Path, key: bytes, sample: int | None, seed: int):
    frame = sealed.read(path, key).to_pandas().sort_values("unique_id", ignore_index=True)
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
    # the snapshot's key comes on standard input, hex, so no other process can read it
    key = bytes.fromhex(sys.stdin.readline().strip())
    frame = read_snapshot(args.snapshot, key, args.sample, args.seed)
    model = train(frame, TrainingConfig(seed=args.seed, u_max_pairs=args.u_max_pairs),
                  threads=args.threads)
    tmp = args.out.with_suffix(".partial")
    tmp.write_text(model.to_json())
    tmp.replace(args.out)  # the caller reads a whole model or none
    return 0


if __name__ == "__main__":
    sys.exit(main())
