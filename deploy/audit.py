"""Audit requirements.lock for known vulnerabilities, less the waivers accepted for a time.

pip-audit looks each pin up in PyPI's vulnerability data (the advisories PyPI imports
from OSV) without building an environment: the lock pins every distribution, so
`--no-deps --disable-pip` reads it as it is. Each waiver in
deploy/vulnerability-waivers.toml becomes `--ignore-vuln ID` through its expiry date;
from the day after, it is dropped with a message and the vulnerability fails the audit
again. A waiver file that is missing or malformed is an error naming the line and field.

Where PyPI's per-release data does not answer (pip-audit then skips the pin), a pin that
is its project's latest release is checked against the vulnerabilities PyPI's project
data lists for that release. A pin neither could check is named; an audit that checked
nothing fails.

    python -m deploy.audit            # or: make audit (part of make lint)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from deploy.lock import LOCK, REPO

WAIVERS = REPO / "deploy" / "vulnerability-waivers.toml"
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
FIELDS = ("id", "package", "reason", "accepted_by", "expires")
# a waiver is a short reprieve, reviewed again when it runs out, not a standing exception
MAX_WAIVER_DAYS = 90


class WaiverError(ValueError):
    """The waiver file cannot be read as waivers; the message names where and why."""


class AuditError(RuntimeError):
    """pip-audit did not produce a report."""


@dataclass(frozen=True)
class Waiver:
    id: str
    package: str
    reason: str
    accepted_by: str
    expires: date
    line: int | None = None

    def honoured(self, today: date) -> bool:
        """A waiver holds through its expiry date and not a day longer."""
        return today <= self.expires


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: tuple[str, ...] = ()
    fixed_in: tuple[str, ...] = ()
    source: str = "pip-audit"

    def ids(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)
    unaudited: dict[str, str] = field(default_factory=dict)  # name -> why


def canonical(name: str) -> str:
    """PEP 503's normal form, the one pip-audit reports names in."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """canonical name -> version of every `name==version` line of a requirements file."""
    out = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not version.strip() or any(c in version for c in "<>=!~;,*"):
            raise AuditError(f"{path.name} line {number}: '{line}' is not name==version; "
                             "the audit reads pins without resolving them")
        out[canonical(name.strip())] = version.strip()
    return out


def _where(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def load_waivers(path: Path = WAIVERS, today: date | None = None) -> list[Waiver]:
    """Every waiver in the file, each checked field by field; none may run out more
    than MAX_WAIVER_DAYS after today."""
    today = today or date.today()
    if not path.is_file():
        raise WaiverError(f"{_where(path)}: no waiver file (an empty one holds no waivers)")
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise WaiverError(f"{_where(path)}: not valid TOML: {e}") from None
    unknown = sorted(set(data) - {"waiver"})
    if unknown:
        raise WaiverError(f"{_where(path)}: unknown top-level key(s) {', '.join(unknown)}; "
                          "each waiver is a [[waiver]] table")
    entries = data.get("waiver", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise WaiverError(f"{_where(path)}: `waiver` must be [[waiver]] tables")
    # tomllib keeps no positions, so the n-th [[waiver]] header is the n-th waiver's line
    headers = [n for n, line in enumerate(text.splitlines(), 1)
               if re.match(r"\s*\[\[\s*waiver\s*\]\]", line)]
    waivers, seen = [], {}
    for index, entry in enumerate(entries):
        line = headers[index] if len(headers) == len(entries) else None
        at = f"{_where(path)} line {line}" if line else f"{_where(path)} waiver {index + 1}"
        missing = [f for f in FIELDS if f not in entry]
        if missing:
            raise WaiverError(f"{at}: missing {', '.join(f'`{f}`' for f in missing)}")
        extra = sorted(set(entry) - set(FIELDS))
        if extra:
            raise WaiverError(f"{at}: unknown field(s) {', '.join(f'`{f}`' for f in extra)}; "
                              f"a waiver has {', '.join(FIELDS)}")
        for name in FIELDS[:-1]:
            if not isinstance(entry[name], str) or not entry[name].strip():
                raise WaiverError(f"{at}: `{name}` must be a non-empty string")
        expires = entry["expires"]
        # a TOML datetime is a date too, but a waiver runs out on a day, not at an hour
        if not isinstance(expires, date) or isinstance(expires, datetime):
            raise WaiverError(f"{at}: `expires` must be a date written bare, such as "
                              f"expires = 2027-01-31, not {expires!r}")
        if expires > today + timedelta(days=MAX_WAIVER_DAYS):
            raise WaiverError(f"{at}: `expires` {expires} is more than {MAX_WAIVER_DAYS} "
                              "days ahead; accept it again when it runs out instead")
        if entry["id"] in seen:
            raise WaiverError(f"{at}: `id` {entry['id']} is waived already at {seen[entry['id']]}")
        seen[entry["id"]] = at
        waivers.append(Waiver(id=entry["id"].strip(), package=canonical(entry["package"]),
                              reason=entry["reason"], accepted_by=entry["accepted_by"],
                              expires=expires, line=line))
    return waivers


def split(waivers: Iterable[Waiver], today: date) -> tuple[list[Waiver], list[Waiver]]:
    """(honoured, expired) on the given day."""
    waivers = list(waivers)
    return ([w for w in waivers if w.honoured(today)],
            [w for w in waivers if not w.honoured(today)])


def pip_audit_command(requirements: Path, waivers: Iterable[Waiver]) -> list[str]:
    """pip-audit over the pins as written, each honoured waiver an --ignore-vuln."""
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(requirements),
               "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
               "--format", "json", "--progress-spinner", "off"]
    for waiver in waivers:
        command += ["--ignore-vuln", waiver.id]
    return command


def run_pip_audit(requirements: Path, waivers: Iterable[Waiver],
                  versions: dict[str, str]) -> Result:
    """What pip-audit found and which pins it could not look up, and why."""
    process = subprocess.run(pip_audit_command(requirements, waivers),
                             capture_output=True, text=True)
    try:
        report = json.loads(process.stdout)
    except json.JSONDecodeError:
        raise AuditError(f"pip-audit wrote no report (exit {process.returncode}):\n"
                         f"{process.stderr.strip()}") from None
    result = Result()
    for dependency in report["dependencies"]:
        name = canonical(dependency["name"])
        if "skip_reason" in dependency:
            result.unaudited[name] = dependency["skip_reason"]
            continue
        result.audited.add(name)
        for vuln in dependency.get("vulns", []):
            result.findings.append(Finding(
                package=name, version=dependency.get("version", versions.get(name, "?")),
                id=vuln["id"], aliases=tuple(vuln.get("aliases", ())),
                fixed_in=tuple(vuln.get("fix_versions", ()))))
    return result


def fetch_project(name: str) -> dict:
    with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=30) as response:  # noqa: S310 (a fixed https address)
        return json.load(response)


def latest_release_check(versions: dict[str, str],
                         fetch: Callable[[str], dict] = fetch_project) -> Result:
    """Check pins against the vulnerabilities PyPI lists for each project's latest
    release: exact for a pin that is that release, silent about any other."""

    def one(name: str) -> tuple[str, dict | str]:
        try:
            return name, fetch(name)
        except (OSError, ValueError) as e:  # URLError and HTTPError are OSErrors
            return name, f"PyPI's project data did not answer ({e})"

    result = Result()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, sorted(versions)))
    for name, project in answers:
        version = versions[name]
        if isinstance(project, str):
            result.unaudited[name] = project
            continue
        latest = project["info"]["version"]
        if latest != version:
            result.unaudited[name] = f"not the latest release ({latest})"
            continue
        result.audited.add(name)
        seen: set[str] = set()
        for vuln in project.get("vulnerabilities") or []:
            finding = Finding(package=name, version=version, id=vuln["id"],
                              aliases=tuple(vuln.get("aliases") or ()),
                              fixed_in=tuple(vuln.get("fixed_in") or ()),
                              source="PyPI latest release")
            # PyPI lists one vulnerability under each of its ids (PYSEC and GHSA)
            if vuln.get("withdrawn") is None and not finding.ids() & seen:
                result.findings.append(finding)
                seen |= finding.ids()
    return result


def audit(requirements: Path, waivers: list[Waiver], today: date,
          fetch: Callable[[str], dict] = fetch_project,
          out=None) -> int:
    """Print what was found and return the exit status: 1 on any unwaived finding or
    when nothing could be checked."""
    out = out or sys.stdout
    honoured, expired = split(waivers, today)
    for w in expired:
        print(f"waiver {w.id} ({w.package}) expired on {w.expires}: no longer honoured",
              file=out)
    versions = pins(requirements)
    result = run_pip_audit(requirements, honoured, versions)
    skipped = {name: versions[name] for name in result.unaudited if name in versions}
    if skipped:
        first = next(iter(result.unaudited.values()))
        print(f"pip-audit could not look up {len(skipped)} of {len(versions)} pins (for "
              f"one: {first}); checking those against PyPI's data for each project's "
              "latest release", file=out)
        second = latest_release_check(skipped, fetch)
        result.findings += second.findings
        result.audited |= second.audited
        result.unaudited = second.unaudited
    return verdict(result, versions, honoured, requirements.name, out)


def verdict(result: Result, versions: dict[str, str], honoured: list[Waiver], name: str,
            out=None) -> int:
    """Print the findings no waiver covers and what was not audited; 1 if there are
    any such findings or nothing was audited, else 0."""
    out = out or sys.stdout
    waived = {w.id for w in honoured}
    findings = [f for f in result.findings if not f.ids() & waived]
    for package, why in sorted(result.unaudited.items()):
        print(f"not audited: {package} {versions.get(package, '?')}: {why}", file=out)
    for f in findings:
        also = f" ({', '.join(f.aliases)})" if f.aliases else ""
        fixed = f"fixed in {', '.join(f.fixed_in)}" if f.fixed_in else "no fixed release"
        print(f"VULNERABLE {f.package} {f.version}: {f.id}{also}; {fixed} [{f.source}]",
              file=out)
    if findings:
        print(f"{len(findings)} known vulnerabilities in {name}: upgrade the pins "
              "(make lock), or waive each in deploy/vulnerability-waivers.toml with a "
              "reason (docs/security.md)", file=out)
        return 1
    if not result.audited:
        print(f"nothing in {name} could be checked for vulnerabilities", file=out)
        return 1
    print(f"no known vulnerabilities in {len(result.audited)} of {len(versions)} pins of "
          f"{name}" + (f" ({len(honoured)} waivers honoured)" if honoured else ""), file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requirements", type=Path, default=LOCK,
                        help="the pinned requirements to audit (default: requirements.lock)")
    parser.add_argument("--waivers", type=Path, default=WAIVERS,
                        help="the waiver file (default: deploy/vulnerability-waivers.toml)")
    args = parser.parse_args(argv)
    today = date.today()
    try:
        return audit(args.requirements, load_waivers(args.waivers, today), today)
    except (WaiverError, AuditError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
