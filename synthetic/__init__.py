"""The one synthetic borough with ground truth, for the demo, the tests and the benchmarks.

    from synthetic import generate_borough, calibration
    borough = generate_borough(seed=7, households=300, as_of=date.today())
    for partner, dataset, kind, rows in borough.uploads(): ...
    borough.truth.flagged()          # person ids the Oldham rule should flag
    calibration(borough.truth)       # {"mixed": {3: n, 4: n, 5: n}, "any": {...}}
"""

from synthetic.borough import Borough, generate_borough
from synthetic.truth import OldhamRule, RecordTruth, Truth, calibration

__all__ = ["Borough", "OldhamRule", "RecordTruth", "Truth", "calibration", "generate_borough"]
