"""A linkage officer trains the model from the command line while the federation runs,
and follows it to the end: the model in use changes, every record keeps a person."""

from __future__ import annotations

import contextlib
import io
import json

from deploy import cli
from tests.e2e.conftest import federation_with_borough


def tessera(run, *args: str) -> tuple[dict, str]:
    """The command's JSON and what it drew on standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(["--var", str(run.fed.layout.root), *args,
                         f"--port=pseudonymiser={run.fed.ports['pseudonymiser']}"]) == 0
    return json.loads(out.getvalue()), err.getvalue()


def persons(run) -> dict[str, int]:
    with run.connect("pseudonymiser") as db:
        return dict(db.execute("SELECT record_token, person_id FROM identity_records "
                               "WHERE level = 'person'"))


async def test_an_officer_trains_and_follows_the_model_from_the_command_line(tmp_path):
    # fewer records than the policy waits for: only the officer starts a job here
    async with federation_with_borough(tmp_path, households=120) as run:
        before, _ = tessera(run, "linkage", "status")
        assert before["job"] is None and before["active"]["trained_on"] is None
        assert before["next_training_at"] == 1000 > before["held_records"] > 0
        held = persons(run)

        after, drawn = tessera(run, "linkage", "train", "--follow")
        job = after["job"]
        assert job["state"] == "done", job
        assert job["requested_by"] == "tessera-cli" and job["records"] == len(held)
        assert after["in_use"] == after["active"]["version"] == job["model_version"]
        assert after["active"]["trained_on"] == len(held)
        assert after["active"]["relinked_at"] is not None
        for stage in ("training", "relinking"):
            assert stage in drawn
        assert persons(run).keys() == held.keys()
