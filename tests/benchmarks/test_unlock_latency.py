"""The unlock latency benchmark's reporting: percentiles, the docs row, the docs table."""

from __future__ import annotations

from benchmarks.unlock_latency import END, START, percentile, row, update_docs

RESULT = {"date": "2026-11-23", "cpus": 2, "callers": 50, "rate": None, "client": "raw",
          "unlocks": 2000, "median_ms": 20.0, "p95_ms": 30.0, "p99_ms": 40.0, "max_ms": 45.0,
          "throughput_per_s": 2000.0, "statuses": {200: 2000}, "load_avg": (0.41, 1.26),
          "other_cores": 0.04}


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_row_names_the_load_average():
    line = row(RESULT)
    assert "closed loop, raw client, load avg 0.4-1.3, others 0.0 cores" in line
    assert "| 40.0 ms |" in line and "| 2000/s |" in line
    assert "load avg" not in row({**RESULT, "load_avg": None, "other_cores": None})


def test_update_docs_keeps_earlier_rows(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Title\n\n{START}\n| 2026-01-01 | old row |\n{END}\n\nAfter.\n")
    update_docs(row(RESULT), doc)
    text = doc.read_text()
    assert text.index("| 2026-01-01 | old row |") < text.index(row(RESULT))
    assert text.endswith("\n\nAfter.\n") and text.count(START) == 1
