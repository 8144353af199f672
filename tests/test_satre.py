"""docs/satre.md, Tessera's evaluation against SATRE v2.0, stays whole and true to the
repository: every statement once, known importances and statuses, evidence that exists,
every Mandatory statement in scope met, argued not applicable or listed as not yet met,
counts that add up, and no row left behind when the work it waits for lands."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "satre.md"
STATEMENTS = 185  # SATRE v2.0.0's specification.yaml

IMPORTANCES = {"Mandatory", "Mandatory*", "Recommended", "Optional"}
STATUSES = ["met", "partly", "not yet", "not applicable", "organisation"]
MANDATORY = {"Mandatory", "Mandatory*"}
SETTLED = {"met", "not applicable", "organisation"}  # nothing owed by the software

ROW = re.compile(r"^\| (\d\.\d\.\d\d) \|")
TICKED = re.compile(r"`([^`]+)`")
NOT_YET_MET = "## Mandatory statements not yet met"
LISTED = re.compile(r"^- \*\*(\d\.\d\.\d\d)\*\*")


def section(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` up to the next heading of its level or a higher one."""
    lines = text.splitlines()
    if heading not in lines:
        return []
    level = len(heading) - len(heading.lstrip("#"))
    out = []
    for line in lines[lines.index(heading) + 1:]:
        if line.startswith("#") and len(line) - len(line.lstrip("#")) <= level:
            break
        out.append(line)
    return out


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def evidence(cell: str) -> tuple[list[str], list[str], bool]:
    """(paths that must exist, paths of work in progress, whether anything is in progress)."""
    present, _, pending = cell.partition("in progress")
    return TICKED.findall(present), TICKED.findall(pending), "in progress" in cell


def missing(item: str, repo: Path) -> str | None:
    """Why an evidence item does not hold, or None: a path inside the repository, or
    ``path::test_name`` whose file defines that function."""
    path, _, name = item.partition("::")
    target = (repo / path).resolve()
    if Path(path).is_absolute() or not target.is_relative_to(repo) or not target.exists():
        return f"no such file: {path}"
    name = name.split("[")[0]
    if name and not (target.is_file() and re.search(rf"def {re.escape(name)}\b",
                                                      target.read_text())):
        return f"{path} defines no {name}"
    return None


def problems(text: str, repo: Path, statements: int = STATEMENTS) -> list[str]:
    found = []
    rows = [cells(line) for line in text.splitlines() if ROW.match(line)]
    ids = [r[0] for r in rows]
    if len(rows) != statements:
        found.append(f"{len(rows)} statement rows, not {statements}")
    found += [f"{i}: listed {n} times" for i, n in Counter(ids).items() if n > 1]

    listed = {m.group(1) for line in section(text, NOT_YET_MET) if (m := LISTED.match(line))}
    by_status, mandatory_by_status = Counter(), Counter()
    for row in rows:
        if len(row) != 6:
            found.append(f"{row[0]}: {len(row)} cells, not 6")
            continue
        id_, importance, statement, status, cell, how = row
        if importance not in IMPORTANCES:
            found.append(f"{id_}: importance {importance!r}")
        if status not in STATUSES:
            found.append(f"{id_}: status {status!r}")
        if not statement or not how:
            found.append(f"{id_}: no statement or no note")
        by_status[status] += 1
        mandatory_by_status[status] += importance in MANDATORY

        present, pending, in_progress = evidence(cell)
        rest = re.sub(r"[\s,;:]", "", TICKED.sub("", cell))
        if rest not in ("", "inprogress"):
            found.append(f"{id_}: evidence is paths in backticks, not {rest!r}")
        found += [f"{id_}: {why}" for item in present if (why := missing(item, repo))]
        if status == "met" and all(missing(item, repo) for item in present):
            found.append(f"{id_}: met with no evidence that exists")
        if status == "partly" and not (present or in_progress):
            found.append(f"{id_}: partly with no evidence")
        if pending and all(missing(item, repo) is None for item in pending):
            found.append(f"{id_}: the work in progress has landed ({', '.join(pending)}): "
                         "move it into the evidence and judge the row again")

        owed = importance in MANDATORY and status not in SETTLED
        if owed and id_ not in listed:
            found.append(f"{id_}: {importance}, {status}, and not in '{NOT_YET_MET[3:]}'")
        if id_ in listed and not owed:
            found.append(f"{id_}: in '{NOT_YET_MET[3:]}' but {importance}, {status}")
    found += [f"{i}: in '{NOT_YET_MET[3:]}' but no such statement"
              for i in sorted(listed - set(ids))]

    expected = {s: (by_status[s], mandatory_by_status[s]) for s in STATUSES}
    expected["in scope (all but organisation)"] = (
        len(rows) - by_status["organisation"],
        sum(mandatory_by_status.values()) - mandatory_by_status["organisation"])
    expected["total"] = (len(rows), sum(mandatory_by_status.values()))
    shown = {}
    for line in section(text, "## Counts"):
        if line.startswith("|") and (c := cells(line))[0] in expected:
            shown[c[0]] = tuple(int(n) for n in c[1:3])
    if shown != expected:
        found.append(f"the counts say {shown}, the rows {expected}")
    return found


def test_the_page_is_whole_and_its_evidence_exists():
    assert problems(PAGE.read_text(), REPO) == []


def test_a_page_that_drifted_is_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("x")
    (tmp_path / "t.py").write_text("def test_here():\n    pass\n")
    page = """## Counts

| status | all statements | Mandatory (incl. Mandatory*) |
|---|---|---|
| met | 1 | 1 |
| partly | 2 | 1 |
| not yet | 0 | 0 |
| not applicable | 0 | 0 |
| organisation | 0 | 0 |
| in scope (all but organisation) | 3 | 2 |
| total | 3 | 2 |

## 1 Pillar

| id | importance | statement | status | evidence | how |
|---|---|---|---|---|---|
| 1.1.01 | Mandatory | You must. | met | `t.py::test_gone`, `docs/b.md` | how |
| 1.1.02 | Mandatory* | You must. | partly | `t.py::test_here`; in progress: `docs/a.md` | how |
| 1.1.03 | Often | You should. | done | see the wiki | how |

## Mandatory statements not yet met

- **1.1.01** (met) You must. Missing: nothing.
"""
    assert problems(page, tmp_path, statements=3) == [
        "1.1.01: t.py defines no test_gone",
        "1.1.01: no such file: docs/b.md",
        "1.1.01: met with no evidence that exists",
        "1.1.01: in 'Mandatory statements not yet met' but Mandatory, met",
        "1.1.02: the work in progress has landed (docs/a.md): move it into the evidence "
        "and judge the row again",
        "1.1.02: Mandatory*, partly, and not in 'Mandatory statements not yet met'",
        "1.1.03: importance 'Often'",
        "1.1.03: status 'done'",
        "1.1.03: evidence is paths in backticks, not 'seethewiki'",
        "the counts say {'met': (1, 1), 'partly': (2, 1), 'not yet': (0, 0), "
        "'not applicable': (0, 0), 'organisation': (0, 0), "
        "'in scope (all but organisation)': (3, 2), 'total': (3, 2)}, the rows "
        "{'met': (1, 1), 'partly': (1, 1), 'not yet': (0, 0), 'not applicable': (0, 0), "
        "'organisation': (0, 0), 'in scope (all but organisation)': (3, 2), "
        "'total': (3, 2)}",
    ]
