"""The held records a model job hands its trainer are sealed on disk: the file holds no
name, reads back whole with the job's key, and not at all with another."""

from __future__ import annotations

import pyarrow as pa
import pytest
from cryptography.exceptions import InvalidTag

from services.pseudonymiser.probabilistic import snapshot

NAME = "Quarrington-Zebedee"


def test_a_snapshot_is_sealed_and_reads_back(tmp_path):
    table = pa.table({"unique_id": ["r1", "r2"], "family_name": [NAME, "Smith"],
                      "date_of_birth": ["1980-02-03", None]})
    key, path = snapshot.new_key(), tmp_path / "held.sealed"
    snapshot.write(path, table, key)
    raw = path.read_bytes()
    assert NAME.encode() not in raw and b"1980-02-03" not in raw
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert snapshot.read(path, key).equals(table)
    with pytest.raises(InvalidTag):
        snapshot.read(path, snapshot.new_key())
    # the control: the same table as plain Parquet shows the name
    import pyarrow.parquet as pq

    pq.write_table(table, tmp_path / "plain.parquet")
    assert NAME.encode() in (tmp_path / "plain.parquet").read_bytes()
