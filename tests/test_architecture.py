"""Import boundaries: no service package imports another (import-linter contracts), no
module takes part in an import circle, and each slice, installed on its own from its own
distribution, imports nothing of another slice and carries nothing it does not need."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    exe = Path(sys.executable).parent / "lint-imports"
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_contracts_list_every_service():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    independence = next(c for c in config["contracts"] if c["type"] == "independence")
    layers = next(c for c in config["contracts"] if c["type"] == "layers")
    from services.common.subjects import SERVICES

    expected = {"gateway"} | {f"services.{s}" for s in SERVICES if s != "gateway"}
    # the console holds no data: independent of every slice, with no layers of its own
    assert set(independence["modules"]) == expected | {"services.console"}
    assert set(layers["containers"]) == expected


PACKAGES = ("gateway", "services", "deploy", "synthetic", "benchmarks")


def circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def test_circles_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    import grimp

    sys.path.insert(0, str(REPO))  # benchmarks is not installed
    try:
        graph = grimp.build_graph(*PACKAGES)
    finally:
        sys.path.remove(str(REPO))
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert circles(imports) == []


# --- one distribution per slice, and what an installed slice can reach ---------------------

def projects() -> dict[str, Path]:
    """Each slice's project folder, by slice name; ``common`` is the shared floor."""
    from services.common.subjects import SERVICES

    found = {"common": REPO / "services"}
    for name in (*SERVICES, "console"):
        found[name] = REPO / "gateway" if name == "gateway" else REPO / "services" / name
    return found


def metadata(folder: Path) -> dict:
    import tomllib

    return tomllib.loads((folder / "pyproject.toml").read_text())["project"]


def test_each_slice_is_a_distribution_of_its_own():
    root = metadata(REPO)
    for name, folder in projects().items():
        project = metadata(folder)
        assert project["name"] == f"tessera-{name}"
        assert project["version"] == root["version"]
        assert f"tessera-{name}=={root['version']}" in root["dependencies"]
        if name != "common":
            assert f"tessera-common=={root['version']}" in project["dependencies"]


def _copy(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info", "*.pyc", "node_modules"))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    """Every slice's wheel, built from a copy of the checkout as an image build would
    (building writes into the project folders)."""
    tree = tmp_path_factory.mktemp("tree")
    _copy(REPO / "services", tree / "services")
    _copy(REPO / "gateway", tree / "gateway")
    dist = tree / "dist"
    folders = [str(tree / f.relative_to(REPO)) for f in projects().values()]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(dist), *folders],
                   check=True, capture_output=True, timeout=900)
    return dist


def _tracked(folder: Path, prefix: str, inside: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_dir() or "__pycache__" in rel.parts or rel.suffix == ".pyc":
            continue
        if rel.parts[0] in {"build", "pyproject.toml", "node_modules"} or \
                rel.parts[0].endswith(".egg-info"):
            continue  # what building and `npm ci` leave in the folder
        if folder == inside and len(rel.parts) > 1 and rel.parts[0] != "common":
            continue  # the floor's folder holds the slices, which are not part of it
        names.add(f"{prefix}/{rel.as_posix()}")
    return names


def test_each_wheel_holds_its_folder_and_nothing_else(wheels):
    import zipfile

    for name, folder in projects().items():
        (wheel,) = wheels.glob(f"tessera_{name}-*.whl")
        held = {n for n in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in n}
        prefix = "services" if name == "common" else folder.relative_to(REPO).as_posix()
        expected = _tracked(folder, prefix, REPO / "services")
        if name == "common":
            expected = {n for n in expected if n.count("/") == 1 or n.startswith(
                "services/common/")}
        assert held == expected, name


CHECK = """
import importlib, importlib.metadata as md, pkgutil, sys
name, package = sys.argv[1], sys.argv[2]
top = importlib.import_module(package)
for info in pkgutil.walk_packages(top.__path__, package + "."):
    importlib.import_module(info.name)
for other in sys.argv[3:]:
    try:
        importlib.import_module(other)
    except ModuleNotFoundError:
        continue
    sys.exit(f"{other} is importable from {name}'s environment")
print(" ".join(sorted(d.metadata["Name"].lower() for d in md.distributions())))
"""


@pytest.fixture(scope="module")
def installed(wheels, tmp_path_factory) -> dict[str, Path]:
    """A virtual environment per slice holding that slice's wheel and what it declares,
    installed as its image installs it."""
    from concurrent.futures import ThreadPoolExecutor

    def install(name: str) -> tuple[str, Path]:
        venv = tmp_path_factory.mktemp(f"env-{name}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--constraint", str(REPO / "requirements.lock"),
                        "--find-links", str(wheels), f"tessera-{name}"],
                       check=True, capture_output=True, timeout=900)
        return name, venv

    slices = [n for n in projects() if n != "common"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(install, slices))


def _package(name: str) -> str:
    return "gateway" if name == "gateway" else f"services.{name}"


@pytest.mark.parametrize("name", ["gateway", "pseudonymiser", "linker", "scorer",
                                  "reidentify", "consent", "console"])
def test_an_installed_slice_imports_only_itself_and_the_floor(installed, name, tmp_path):
    others = [_package(n) for n in projects() if n not in {"common", name}]
    python = installed[name] / "bin" / "python"
    result = subprocess.run([str(python), "-c", CHECK, name, _package(name), *others],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    distributions = set(result.stdout.split())
    assert {f"tessera-{name}", "tessera-common"} <= distributions
    assert not {f"tessera-{n}" for n in projects() if n not in {"common", name}} & distributions
    if name != "pseudonymiser":  # the linkage engine is the pseudonymiser's alone
        assert not {"splink", "duckdb", "pandas"} & distributions
    assert "faker" not in distributions  # the synthetic generator is tooling
    served = subprocess.run([str(python), "-m", _package(name), "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert served.returncode == 0, served.stderr[-2000:]
