"""`tessera decommission`: end a deployment so that nothing of its data survives, and
keep the evidence that it ended properly (SATRE 1.4.04, 2.2.06; docs/decommissioning.md).

Three steps, in this order:

- ``archive`` (services running; auditor): every service's security log and its
  verification, reidentify's access log and verification, the gateway's copy of the
  signed heads, every agreement's deletion receipts and the compliance report, written
  to a directory with a manifest of SHA-256 digests, and, for a local federation, the
  public keys that check the signatures;
- ``purge`` (services running; admin): every agreement ended, then waited on until each
  slice holds nothing under it and has sent its signed receipt (run ``archive`` again
  after it, so the archive holds the receipts);
- ``destroy`` (services stopped; local federation only): every private and secret key
  overwritten and removed, and the databases and the JetStream store removed. A
  deployment destroys its volumes, secrets and KMS keys with its own tools, as
  docs/decommissioning.md lists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from deploy.layout import NATS_PORT, PORTS, Layout

EVERY = ("gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent")
HOLDERS = ("pseudonymiser", "linker", "scorer", "reidentify")  # what they hold is swept
PAGE = 1000
# what each slice counts as held data under an agreement (its holdings' counts); the
# pseudonymiser keeps opt-out and objection records by design until its keys are destroyed
HELD = {"pseudonymiser": ("identity_records",), "linker": ("events",),
        "scorer": ("evaluations",), "reidentify": ("flags",)}


def _write(out: Path, name: str, data: str) -> Path:
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)
    return path


def security_events(api, service: str) -> list[dict]:
    events, after = [], 0
    while True:
        page = api.call("GET", service, "/v1/security-events",
                        params={"after": after, "limit": PAGE})
        events += page["events"]
        if page["next_after"] is None:
            return events
        after = page["next_after"]


def access_log_csv(api) -> str:
    """Reidentify's access log, every entry, as its CSV export gives it (formula cells
    escaped), one page after another."""
    rows: list[dict] = []
    fields: list[str] = []
    after = 0
    while True:
        reader = csv.DictReader(io.StringIO(api.text(
            "GET", "reidentify", "/v1/access-log/export.csv",
            params={"after": after, "limit": 10_000})))
        page = list(reader)
        fields = fields or list(reader.fieldnames or [])
        rows += page
        if len(page) < 10_000:
            break
        after = int(page[-1]["seq"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def signed_heads(api) -> list[dict]:
    heads, after = [], 0
    while True:
        page = api.call("GET", "gateway", "/v1/audit/heads",
                        params={"after": after, "limit": 500})
        heads += page
        if len(page) < 500:
            return heads
        after = page[-1]["seq"]


def archive(api, out: Path, report: dict, layout: Layout | None = None) -> dict:
    """Write the evidence to ``out`` (``report``: `tessera compliance`'s); returns the
    manifest."""
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: list[Path] = []
    verdicts = {}
    for service in EVERY:
        events = security_events(api, service)
        written.append(_write(out, f"security-log/{service}.jsonl",
                              "".join(json.dumps(e, sort_keys=True) + "\n" for e in events)))
        verdicts[service] = api.call("GET", service, "/v1/security-events/verify")
    written.append(_write(out, "security-log/verification.json",
                          json.dumps(verdicts, indent=2)))
    written.append(_write(out, "access-log/entries.csv", access_log_csv(api)))
    written.append(_write(out, "access-log/verification.json", json.dumps(
        api.call("GET", "reidentify", "/v1/access-log/verify"), indent=2, default=str)))
    written.append(_write(out, "access-log/heads.jsonl", "".join(
        json.dumps(h, sort_keys=True) + "\n" for h in signed_heads(api))))
    receipts = {a["id"]: api.call("GET", "gateway", f"/v1/agreements/{a['id']}/receipts",
                                  params={"limit": 1000})
                for a in api.call("GET", "gateway", "/v1/agreements")}
    written.append(_write(out, "receipts.json", json.dumps(receipts, indent=2)))
    written.append(_write(out, "compliance.json", json.dumps(report, indent=2, default=str)))
    if layout is not None:  # the public halves, to check the signatures later
        for pub in sorted(layout.keys.rglob("*.pub.pem")):
            written.append(_write(out, f"public-keys/{pub.relative_to(layout.keys)}",
                                  pub.read_text()))
    manifest = {
        "written_at": datetime.now(UTC).isoformat(),
        "security_logs_valid": all(v["valid"] for v in verdicts.values()),
        "files": {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in written},
    }
    _write(out, "manifest.json", json.dumps(manifest, indent=2))
    return manifest


def purge(api, timeout_s: float = 120.0) -> dict:
    """End every agreement and wait until every slice holds nothing under it and has
    signed a receipt for it; returns each agreement's receipts by slice."""
    agreements = [a["id"] for a in api.call("GET", "gateway", "/v1/agreements")]
    for agreement in agreements:
        shown = api.call("GET", "gateway", f"/v1/agreements/{agreement}")
        if shown.get("ended_on") is None:
            api.call("POST", "gateway", f"/v1/agreements/{agreement}/end", json={})
    deadline = time.monotonic() + timeout_s
    done: dict[str, dict] = {}
    while len(done) < len(agreements):
        for agreement in agreements:
            if agreement in done:
                continue
            receipts = api.call("GET", "gateway", f"/v1/agreements/{agreement}/receipts",
                                params={"limit": 1000})
            by_slice = {r["service"]: r for r in receipts if r["reason"] == "agreement-ended"}
            empty = all(not any(api.call("GET", s, f"/v1/agreements/{agreement}/holdings"
                                         )["counts"].get(k) for k in HELD[s])
                        for s in HOLDERS)
            if set(by_slice) >= set(HOLDERS) and empty:
                done[agreement] = by_slice
        if len(done) < len(agreements):
            if time.monotonic() > deadline:
                missing = sorted(set(agreements) - set(done))
                raise SystemExit(f"not every slice confirmed the end of: {', '.join(missing)}")
            time.sleep(1.0)
    for service in HOLDERS:  # and whatever else has outlived its agreement
        api.call("POST", service, "/v1/retention/sweep", json={})
    return {"ended": agreements, "receipts": done}



def _answering(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def shred(path: Path) -> None:
    """Overwrite a file with random bytes, flush it to disk, then remove it."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.write(os.urandom(size))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def destroy(layout: Layout, ports: dict[str, int] | None = None) -> dict:
    """Destroy a stopped local federation's keys, databases and JetStream store. Public
    keys are removed too (the archive keeps copies)."""
    running = [s for s, p in {**(ports or PORTS), "nats": NATS_PORT}.items()
               if _answering("127.0.0.1", p)]
    if running:
        raise SystemExit(f"stop the federation first: {', '.join(running)} still answer")
    removed = {"keys": 0, "databases": 0, "jetstream_files": 0}
    for path in sorted(p for p in layout.keys.rglob("*") if p.is_file()):
        shred(path)
        removed["keys"] += 1
    if layout.nats_passwords.exists():
        shred(layout.nats_passwords)
        removed["keys"] += 1
    for path in sorted(p for p in layout.data.rglob("*") if p.is_file()):
        path.unlink()
        removed["databases"] += 1
    for path in sorted((p for p in layout.jetstream.rglob("*") if p.is_file()), reverse=True):
        path.unlink()
        removed["jetstream_files"] += 1
    return removed
