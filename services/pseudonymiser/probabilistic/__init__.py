"""Probabilistic (Fellegi-Sunter) record linkage with Splink 5 on in-process DuckDB.

`to_frame` / `frame_from_records` build the input, `train` fits a `LinkageModel`
(JSON with a content-hash version), whose `predict` / `predict_between` give scored
pairs with a band (link, review, no_link); `cluster_links` groups linked records.
"""

from services.pseudonymiser.probabilistic.bands import (
    LINK,
    NO_LINK,
    REVIEW,
    Thresholds,
    cluster_links,
    clusters,
)
from services.pseudonymiser.probabilistic.frame import frame_from_records, to_frame
from services.pseudonymiser.probabilistic.model import LinkageModel, TrainingConfig, train

__all__ = ["LINK", "NO_LINK", "REVIEW", "LinkageModel", "Thresholds", "TrainingConfig",
           "cluster_links", "clusters", "frame_from_records", "to_frame", "train"]
