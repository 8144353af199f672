"""make audit: pip-audit over requirements.lock, less the waivers in
deploy/vulnerability-waivers.toml, each honoured through its expiry date and no longer."""

from __future__ import annotations

import io
import urllib.error
from datetime import date, timedelta
from pathlib import Path

import pytest

from deploy import audit
from deploy.audit import (
    WAIVERS,
    Finding,
    Result,
    Waiver,
    WaiverError,
    latest_release_check,
    load_waivers,
    pip_audit_command,
    split,
    verdict,
)

TODAY = date(2026, 12, 7)
GOOD = """\
# accepted for now
[[waiver]]
id = "PYSEC-2000-1"
package = "Example_Pkg"
reason = "the vulnerable parser is never called"
accepted_by = "A. Reviewer, security lead"
expires = 2026-12-31
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    return path


def waiver(id: str, expires: date) -> Waiver:
    return Waiver(id=id, package="example", reason="r", accepted_by="a", expires=expires)


def test_the_repository_waiver_file_is_valid():
    assert all(isinstance(w, Waiver) for w in load_waivers(WAIVERS))


def test_a_waiver_is_read_field_by_field(tmp_path):
    [w] = load_waivers(write(tmp_path, GOOD), TODAY)
    assert (w.id, w.package, w.expires, w.line) == ("PYSEC-2000-1", "example-pkg",
                                                    date(2026, 12, 31), 2)


def test_a_waiver_holds_through_its_expiry_day_and_not_a_day_longer():
    w = waiver("PYSEC-2000-1", TODAY)
    assert w.honoured(TODAY) and not w.honoured(TODAY + timedelta(days=1))


def test_an_expired_waiver_is_not_passed_to_pip_audit(tmp_path):
    live, gone = waiver("GHSA-live", TODAY), waiver("GHSA-gone", TODAY - timedelta(days=1))
    honoured, expired = split([live, gone], TODAY)
    assert (honoured, expired) == ([live], [gone])
    command = pip_audit_command(tmp_path / "r.txt", honoured)
    assert "GHSA-live" in command and "GHSA-gone" not in command


def test_waivers_become_ignore_vuln_arguments(tmp_path):
    command = pip_audit_command(tmp_path / "r.txt", [waiver("A-1", TODAY), waiver("B-2", TODAY)])
    assert command[command.index("--requirement") + 1] == str(tmp_path / "r.txt")
    assert {"--no-deps", "--disable-pip"} <= set(command)
    pairs = [command[i + 1] for i, arg in enumerate(command) if arg == "--ignore-vuln"]
    assert pairs == ["A-1", "B-2"]


def test_an_expired_waiver_no_longer_covers_its_finding():
    finding = Finding(package="example", version="1.0", id="PYSEC-2000-1",
                      aliases=("GHSA-aaaa",))
    result = Result(findings=[finding], audited={"example"})
    out = io.StringIO()
    assert verdict(result, {"example": "1.0"}, [], "r.txt", out) == 1
    assert "VULNERABLE example 1.0: PYSEC-2000-1" in out.getvalue()
    # an alias names the same vulnerability, as pip-audit's --ignore-vuln takes it
    assert verdict(result, {"example": "1.0"}, [waiver("GHSA-aaaa", TODAY)], "r.txt",
                   io.StringIO()) == 0


def test_an_audit_that_checked_nothing_fails():
    result = Result(unaudited={"example": "PyPI did not answer"})
    out = io.StringIO()
    assert verdict(result, {"example": "1.0"}, [], "r.txt", out) == 1
    assert "not audited: example 1.0: PyPI did not answer" in out.getvalue()


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace('id = "PYSEC-2000-1"', 'id = "PYSEC-2000-1'), "line 3"),
    (GOOD.replace('accepted_by = "A. Reviewer, security lead"\n', ""),
     "line 2: missing `accepted_by`"),
    (GOOD.replace("expires = 2026-12-31", 'expires = "2026-12-31"'),
     "line 2: `expires` must be a date"),
    (GOOD.replace("expires = 2026-12-31", "expires = 2026-12-31T12:00:00"),
     "line 2: `expires` must be a date"),
    (GOOD.replace('reason = "the vulnerable parser is never called"', 'reason = " "'),
     "line 2: `reason` must be a non-empty string"),
    (GOOD + 'severity = "low"\n', "line 2: unknown field(s) `severity`"),
    (GOOD + "\n" + GOOD.replace("# accepted for now\n", ""),
     "line 9: `id` PYSEC-2000-1 is waived already at"),
    (GOOD.replace("expires = 2026-12-31", "expires = 2027-06-30"),
     "line 2: `expires` 2027-06-30 is more than 90 days ahead"),
    ("[[waivers]]\nid = 1\n", "unknown top-level key(s) waivers"),
])
def test_a_malformed_waiver_file_names_the_line_and_field(tmp_path, text, message):
    with pytest.raises(WaiverError) as caught:
        load_waivers(write(tmp_path, text), TODAY)
    assert message in str(caught.value)


def test_a_missing_waiver_file_is_an_error(tmp_path):
    with pytest.raises(WaiverError, match="no waiver file"):
        load_waivers(tmp_path / "absent.toml", TODAY)


def test_a_bad_waiver_file_stops_the_audit_before_it_runs(tmp_path, capsys):
    requirements = tmp_path / "r.txt"
    requirements.write_text("example==1.0\n")
    status = audit.main(["--requirements", str(requirements),
                         "--waivers", str(write(tmp_path, "[[waiver]]\nid = 1\n"))])
    assert status == 2 and "line 1: missing `package`" in capsys.readouterr().err


def test_the_latest_release_check_is_exact_only_for_the_latest_release():
    """Where pip-audit cannot look a pin up, PyPI's project data covers its latest
    release; one vulnerability listed under two ids counts once."""
    projects = {
        "current": {"info": {"version": "2.0"}, "vulnerabilities": [
            {"id": "PYSEC-1", "aliases": ["GHSA-1", "CVE-1"], "fixed_in": [], "withdrawn": None},
            {"id": "GHSA-1", "aliases": ["PYSEC-1", "CVE-1"], "fixed_in": [], "withdrawn": None},
            {"id": "PYSEC-2", "aliases": [], "fixed_in": ["2.1"], "withdrawn": "2026-01-01"},
        ]},
        "behind": {"info": {"version": "3.0"}, "vulnerabilities": []},
    }

    def fetch(name):
        if name not in projects:
            raise urllib.error.URLError("no route")
        return projects[name]

    result = latest_release_check({"current": "2.0", "behind": "2.9", "gone": "1.0"}, fetch)
    assert [(f.package, f.id) for f in result.findings] == [("current", "PYSEC-1")]
    assert result.audited == {"current"}
    assert result.unaudited["behind"] == "not the latest release (3.0)"
    assert "did not answer" in result.unaudited["gone"]


def pypi_answers() -> bool:
    try:
        audit.fetch_project("pycrypto")
    except OSError:
        return False
    return True


network = pytest.mark.skipif(not pypi_answers(),
                             reason="PyPI does not answer from here: no real audit to run")


@network
def test_pip_audit_finds_an_old_jinja2_and_ignores_what_is_waived(tmp_path):
    """The real pip-audit, against PyPI's vulnerability data for Jinja2 2.10."""
    requirements = tmp_path / "r.txt"
    requirements.write_text("jinja2==2.10\n")
    versions = {"jinja2": "2.10"}
    found = audit.run_pip_audit(requirements, [], versions)
    if "jinja2" in found.unaudited:
        pytest.skip("PyPI's per-release data, which pip-audit reads, does not answer "
                    f"from here: {found.unaudited['jinja2']}")
    assert found.findings and {f.package for f in found.findings} == {"jinja2"}
    waived = [waiver(f.id, TODAY) for f in found.findings]
    assert audit.run_pip_audit(requirements, waived, versions).findings == []


@network
def test_the_audit_fails_on_pycrypto_then_passes_with_waivers_until_they_expire(
        tmp_path, capsys):
    """PyCrypto 2.6.1, its last release, has two known vulnerabilities and no fix."""
    requirements = tmp_path / "r.txt"
    requirements.write_text("pycrypto==2.6.1\n")
    waivers = write(tmp_path, "")
    args = ["--requirements", str(requirements), "--waivers", str(waivers)]

    assert audit.main(args) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE pycrypto 2.6.1" in out and "PYSEC-2017-94" in out
    assert "PYSEC-2018-97" in out

    def accept(expires: date) -> str:
        return "".join(f'[[waiver]]\nid = "{id}"\npackage = "pycrypto"\n'
                       f'reason = "a test"\naccepted_by = "the test"\nexpires = {expires}\n'
                       for id in ("PYSEC-2017-94", "PYSEC-2018-97"))

    waivers.write_text(accept(date.today()))
    assert audit.main(args) == 0
    assert "no known vulnerabilities in 1 of 1 pins of r.txt" in capsys.readouterr().out

    waivers.write_text(accept(date.today() - timedelta(days=1)))
    assert audit.main(args) == 1
    out = capsys.readouterr().out
    assert "waiver PYSEC-2017-94 (pycrypto) expired on" in out
    assert "VULNERABLE pycrypto 2.6.1" in out
