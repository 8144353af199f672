"""The federation quality benchmark's pure helpers (the benchmark itself runs for minutes)."""

from __future__ import annotations

import re

import yaml

from benchmarks.linkage_federation import (
    FEBRL_DATASETS,
    febrl_dob,
    febrl_postcode,
    pairwise_of_clusters,
    registry,
)
from gateway.validation import POSTCODE, check_rows


def test_febrl_postcode_is_a_uk_shape_the_gateway_accepts():
    codes = [febrl_postcode(f"{n:04d}") for n in (0, 2615, 4560, 9999)]
    assert codes[1] == "Z26 1AG"
    assert len(set(codes)) == 4
    assert all(POSTCODE.match(c.replace(" ", "")) for c in codes)
    assert febrl_postcode(None) is None and febrl_postcode("26") is None


def test_febrl_dates_go_as_iso_and_invalid_ones_are_rejected_by_the_gateway():
    assert febrl_dob("19560909") == "1956-09-09"
    rows = [{"local_id": str(i), "given_name": "A", "family_name": "B", "date_of_birth": d}
            for i, d in enumerate((febrl_dob("19560909"), febrl_dob("19371331")))]
    checked = check_rows(rows, kind="identities", level="person")
    assert [r for r, _ in checked.rows] == [0]
    assert checked.rejected[0]["errors"][0]["field"] == "date_of_birth"


def test_pairwise_of_clusters_counts_every_pair_in_a_person():
    assign = {"a": 1, "b": 1, "c": 1, "d": 2}
    out = pairwise_of_clusters(assign, {("a", "b"), ("c", "d"), ("a", "e")})
    assert out["predicted"] == 3 and out["true_linked"] == 1
    assert out["precision"] == round(1 / 3, 5) and out["recall"] == round(1 / 3, 5)


def test_registry_adds_the_febrl_datasets(tmp_path):
    doc = yaml.safe_load(registry(tmp_path / "r.yaml").read_text())
    ids = {d["id"]: d for d in doc["datasets"]}
    assert set(FEBRL_DATASETS) <= set(ids) and "gp-p81001" in ids
    assert all(re.match(r"febrl-[ab]", ids[d]["partner"]) for d in FEBRL_DATASETS)
