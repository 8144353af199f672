"""The README and docs link only to what the repository holds: every relative link
resolves to a file inside it (and a heading anchor, when one is named, to a heading)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")),
            *(p for p in (REPO / "CONTRIBUTING.md",) if p.exists())]


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings."""
    out = set()
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def broken(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)  # code is not links
    out = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an address outside (https:, mailto:)
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            out.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            out.append(target)
    return out


def test_every_relative_link_resolves_inside_the_repository():
    assert {str(p.relative_to(REPO)): broken(p) for p in documents() if broken(p)} == {}


def test_a_broken_link_is_found(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "a.md").write_text("# Top\n[ok](a.md#top) [gone](b.md) [out](../x.md) "
                                   "[web](https://example.org) [bad](a.md#nowhere)\n")
    assert broken(tmp_path / "a.md") == ["b.md", "../x.md", "a.md#nowhere"]


def test_every_route_of_every_slice_is_in_the_api_document(monkeypatch):
    """docs/api.md names every path a slice serves (placeholders by any name)."""
    import importlib

    from services.common.subjects import SERVICES

    monkeypatch.setenv("TESSERA_ENVIRONMENT", "development")
    placeholder = re.compile(r"\{[^}/]*\}")
    document = placeholder.sub("{}", (REPO / "docs" / "api.md").read_text())
    missing = []
    for name in SERVICES:
        package = "gateway" if name == "gateway" else f"services.{name}"
        app = importlib.import_module(f"{package}.app").create_app()  # nothing starts
        for path in app.openapi()["paths"]:
            if f"{placeholder.sub('{}', path)}`" not in document and \
                    f"{placeholder.sub('{}', path)}?" not in document:
                missing.append(f"{name} {path}")
    assert missing == []
