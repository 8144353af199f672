"""`tessera decommission` on a federation of its own: the evidence archived with digests,
every agreement ended with a signed receipt from every slice and nothing held, then,
once stopped, every key, database and stream file gone."""

from __future__ import annotations

import asyncio
import hashlib
import json

from deploy import cli, decommission
from tests.e2e.conftest import federation_with_borough

HOLDERS = ("pseudonymiser", "linker", "scorer", "reidentify")


async def test_archive_purge_then_destroy(tmp_path, capsys):
    root = tmp_path / "var"
    out = tmp_path / "archive"
    async with federation_with_borough(root, households=40, seed=31) as run:
        fed = run.fed
        ports = [f"--port={s}={p}" for s, p in fed.ports.items()]
        base = ["--var", str(root), "decommission"]
        # destroying a running federation is refused
        assert await asyncio.to_thread(cli.main, [*base, "destroy", *ports]) == 1
        assert "stop the federation first" in capsys.readouterr().err
        assert await asyncio.to_thread(cli.main, [*base, "purge", *ports]) == 0
        purged = json.loads(capsys.readouterr().out)
        assert purged["ended"]
        for agreement, receipts in purged["receipts"].items():
            assert set(receipts) >= set(HOLDERS), agreement
        assert await asyncio.to_thread(cli.main, [*base, "archive", "--out", str(out),
                                                   *ports]) == 0
        manifest = json.loads(capsys.readouterr().out)
        compliance = json.loads((out / "compliance.json").read_text())
        assert set(compliance["services"]) == set(decommission.EVERY)

    assert manifest["security_logs_valid"] is True
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    receipts = json.loads((out / "receipts.json").read_text())
    assert all({r["service"] for r in rs} >= set(HOLDERS) for rs in receipts.values())
    assert (out / "access-log" / "entries.csv").read_text().startswith("seq,")
    assert (out / "public-keys" / "events" / "pseudonymiser.pub.pem").exists()
    verdict = json.loads((out / "access-log" / "verification.json").read_text())
    assert verdict["valid"] is True, verdict

    # stopped: the keys, databases and stream files go
    assert cli.main(["--var", str(root), "decommission", "destroy", *ports]) == 0
    removed = json.loads(capsys.readouterr().out)
    assert removed["keys"] > 10 and removed["databases"] >= 6
    assert removed["jetstream_files"] > 0
    leftovers = [p for d in ("keys", "data", "nats/jetstream")
                 for p in (root / d).rglob("*") if p.is_file()]
    assert leftovers == []
