"""`tessera` against the running federation as a person at a terminal sees it: tables
for lists, the calibration as a chart (and as an SVG and a PNG file), the review queue
saying that it is paged, the access log's verification."""

from __future__ import annotations

import json
import re
import time

import pytest

from deploy import cli


@pytest.fixture
def tessera(running, capsys, monkeypatch):
    """`tessera --format FORMAT ...` against this federation: (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "160")  # rich's width when standard output is no terminal
    ports = [f"--port={s}={p}" for s, p in running.fed.ports.items()]

    def run(form: str, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--var", str(running.fed.layout.root), "--format", form, *args,
                         *ports])
        seen = capsys.readouterr()
        return code, seen.out, seen.err

    return run


def test_agreements_list_is_a_table_of_what_the_gateway_holds(tessera):
    code, listed, _ = tessera("json", "agreements", "list")
    assert code == 0
    agreements = json.loads(listed)
    code, table, _ = tessera("table", "agreements", "list")
    assert code == 0 and "Data-sharing agreements" in table
    for agreement in agreements:
        row = next(line for line in table.splitlines() if agreement["id"] in line)
        assert ("yes" if agreement["in_force"] else "no") in row
        assert (agreement["partner"] or "-") in row


def settled_calibration(tessera, timeout: float = 60) -> dict:
    """The calibration once the scorer has scored the borough: non-zero, and the same
    twice in a row half a second apart."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        code, answer, _ = tessera("json", "calibration")
        assert code == 0
        cal = json.loads(answer)
        if cal == last and any(t["count"] for t in cal["thresholds"]):
            return cal
        assert time.monotonic() < deadline, "the calibration did not settle"
        last = cal
        time.sleep(0.5)


def test_calibration_is_drawn_with_the_scorer_s_counts(tessera, tmp_path):
    cal = settled_calibration(tessera)
    code, chart, _ = tessera("table", "calibration", "--out", str(tmp_path / "chart.svg"))
    assert code == 0 and f"{cal['rule_id']} v{cal['version']}" in chart
    drawn = dict(re.findall(r"(\d+)\+ indicators\s+█*\s*(\d+|hidden)", chart))
    assert drawn == {str(t["min_indicators"]): "hidden" if t["count"] is None
                     else str(t["count"]) for t in cal["thresholds"]}
    assert any(t["count"] for t in cal["thresholds"])  # a borough is flagged: bars drawn
    svg = (tmp_path / "chart.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and cal["rule_id"] in svg
    code, _, said = tessera("table", "calibration", "--out", str(tmp_path / "chart.png"))
    assert code == 0, said
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_review_queue_says_it_is_paged(tessera):
    code, pairs, _ = tessera("json", "review", "list", "--status", "pending", "--limit", "2")
    assert code == 0
    pairs = json.loads(pairs)
    code, table, _ = tessera("table", "review", "list", "--limit", "2")
    assert code == 0 and "The queue is paged: 2 a page" in table
    assert "--offset 2 for the next page" in table
    for pair in pairs:
        assert pair["pair_id"] in table


def test_verify_log_passes_on_a_sound_log(tessera):
    code, answer, _ = tessera("json", "verify-log")
    assert code == 0 and json.loads(answer)["valid"] is True
    code, table, _ = tessera("table", "verify-log")
    assert code == 0 and "Access log verification" in table
    assert re.search(r"│ valid\s+│ yes", table), table
