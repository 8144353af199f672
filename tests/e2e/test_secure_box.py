"""After the end-to-end run, no slice holds what it must not: databases and bus messages."""

from __future__ import annotations

import json

import pytest

from deploy.federation import REPO
from tests.e2e.conftest import registry_codes
from tests.e2e.scan import program_vocabulary, sensitive_values, sqlite_texts

NO_IDENTITY = ("linker", "scorer", "reidentify", "consent", "gateway")
IDENTITY_SUBJECTS = ("tessera.ingest.identity.", "tessera.ingest.optouts.")
PER_DATASET = (*IDENTITY_SUBJECTS, "tessera.ingest.events.")


@pytest.fixture(scope="module")
def sensitive(running):
    s = sensitive_values(running.borough, registry_codes(), program_vocabulary(REPO))
    assert len(s.names) > 200 and s.postcodes and s.dobs and s.local_ids
    return s


@pytest.mark.parametrize("service", NO_IDENTITY)
async def test_database_holds_no_identity(running, sensitive, service):
    assert running.db(service).exists()
    hits: dict[str, set[str]] = {}
    scanned = 0
    for place, text in sqlite_texts(running.connect(service)):
        scanned += 1
        kinds = sensitive.identity_hits(text)
        if kinds:
            hits.setdefault(place, set()).update(kinds)
    assert scanned > 0
    assert hits == {}


async def test_pseudonymiser_database_holds_no_codes(running, sensitive):
    hits: dict[str, set[str]] = {}
    names_seen = False
    for place, text in sqlite_texts(running.connect("pseudonymiser")):
        if sensitive.code_hits(text):
            hits.setdefault(place, set()).add("code")
        names_seen = names_seen or "name" in sensitive.identity_hits(text)
    assert names_seen, "the scan must be able to see identity where it is expected"
    assert hits == {}


async def test_messages_on_each_subject(running, sensitive):
    by_subject: dict[str, int] = {}
    identity_leaks: dict[str, set[str]] = {}
    code_leaks: set[str] = set()
    for subject, data in running.captured:
        if subject.startswith("$JS.") or subject.startswith("_INBOX.provisioner"):
            continue
        text = data.decode("utf-8", "replace")
        if subject.startswith("_INBOX."):
            # Replies: the pseudonymiser's identity answer to reidentify must hold no codes.
            if subject.startswith("_INBOX.reidentify.") and sensitive.code_hits(text):
                code_leaks.add("_INBOX.reidentify")
            continue
        root = subject.rsplit(".", 1)[0] if subject.startswith(PER_DATASET) else subject
        by_subject[root] = by_subject.get(root, 0) + 1
        if subject.startswith(IDENTITY_SUBJECTS) or subject == "tessera.pseudonymiser.reidentify":
            if sensitive.code_hits(text):
                code_leaks.add(root)
        else:
            kinds = sensitive.identity_hits(text)
            if kinds:
                identity_leaks.setdefault(root, set()).update(kinds)
    # Every data subject carried traffic, so the scan saw real messages.
    for expected in ("tessera.ingest.identity", "tessera.ingest.events",
                     "tessera.ingest.optouts", "tessera.ingest.consent",
                     "tessera.linkage.assignments", "tessera.linkage.optouts",
                     "tessera.profiles.changed", "tessera.flags",
                     "tessera.consent.decisions", "tessera.batches.progress"):
        assert by_subject.get(expected), expected
    assert identity_leaks == {}
    assert code_leaks == set()
    json.dumps(by_subject)


async def test_logs_hold_no_identity(running, sensitive):
    logs = sorted(running.fed.layout.logs.glob("*.log"))
    assert len(logs) >= 6
    hits: dict[str, set[str]] = {}
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            kinds = sensitive.identity_hits(line)
            if kinds:
                hits.setdefault(path.name, set()).update(kinds)
    assert hits == {}


async def test_files_at_rest_hold_no_identity(running, sensitive):
    """Every database, WAL and JetStream file `make run` leaves on disk is ciphertext: no
    postcode of the borough is in their bytes, though the pseudonymiser holds them all
    (tests/security/test_at_rest.py shows the same scan finding them unencrypted)."""
    layout = running.fed.layout
    files = [p for root in (layout.data, layout.nats_dir) for p in root.rglob("*")
             if p.is_file() and p.suffix not in (".conf", ".json", ".password", ".log")]
    assert any(p.name == "pseudonymiser.db" for p in files)
    assert any("jetstream" in p.parts for p in files)
    data = b"".join(p.read_bytes() for p in files)
    postcodes = {p.encode() for p in sensitive.postcodes}
    assert len(postcodes) >= 20
    assert sum(p in data for p in postcodes) == 0
