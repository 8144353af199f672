"""What the disclosure rule costs: protecting a calibration's counts (every indicator
threshold overall and per area, the other overall series, the rule as it stands) for
councils of 16, 40 and 100 areas.

Each population is synthetic: persons with 1 to 12 indicators (exponentially fewer with
more), a random health/non-health split and 1 to 6 headline problems, spread evenly over
the areas; the scorer holds such a population as counts of counts, one row per distinct
(area, indicators, health, non-health, headlines). Prints the counts released, how many
the rule hid, and the median time of `--repeat` runs.

    .venv/bin/python -m benchmarks.disclosure [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

from services.scorer.calibration import calibrate
from services.scorer.rules import Conditions, StoredRule

SIZES = ((16, 30_000), (40, 100_000), (100, 300_000))  # areas, persons with an indicator


def rows(areas: int, persons: int, seed: int = 1) -> list[tuple]:
    rng = random.Random(seed)
    held: Counter = Counter()
    for _ in range(persons):
        n = min(12, int(rng.expovariate(0.5)) + 1)
        health = rng.randint(0, n)
        held[(f"A{rng.randint(1, areas)}", n, health, n - health, min(6, rng.randint(1, n)))] += 1
    return [(*key, count) for key, count in held.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rule = StoredRule(id="oldham", title="Oldham", level="person", purposes=["triage"],
                      conditions=Conditions(min_indicators=5, min_health=1, min_non_health=1),
                      version=1)
    print(f"{'areas':>6}{'persons':>10}{'rows':>8}{'counts':>8}{'hidden':>8}{'median s':>10}")
    for areas, persons in SIZES:
        held = rows(areas, persons)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            note = calibrate(rule, held, 10)["disclosure"]
            times.append(time.perf_counter() - start)
        print(f"{areas:>6}{persons:>10}{len(held):>8}{note.counts:>8}{note.hidden:>8}"
              f"{statistics.median(times):>10.2f}")


if __name__ == "__main__":
    main()
