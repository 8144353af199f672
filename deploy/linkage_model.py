"""Builds the pseudonymiser's bundled default linkage model from the synthetic borough.

    .venv/bin/python -m deploy.linkage_model [--seed 3] [--households 2000] [--out PATH]

The model a fresh deployment starts with, until `python -m services.pseudonymiser train`
trains one from the data it holds. Same arguments, same model version.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from services.pseudonymiser.probabilistic import TrainingConfig, to_frame, train

OUT = (Path(__file__).resolve().parents[1] / "services" / "pseudonymiser" / "probabilistic"
       / "default_model.json")


def main(argv: list[str] | None = None) -> int:
    from synthetic import generate_borough

    parser = argparse.ArgumentParser(prog="deploy.linkage_model")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    borough = generate_borough(args.seed, args.households, date(2025, 3, 31))
    rows = [{**r, "record_id": f"{ds.partner}|{ds.dataset}|{r['local_id']}"}
            for ds in borough.datasets if ds.level == "person" for r in ds.identities]
    model = train(to_frame(rows), TrainingConfig(seed=42))
    args.out.write_text(model.to_json() + "\n")
    print(f"model {model.version} from {len(rows)} records -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
