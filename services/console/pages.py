"""The console's pages, by role. Each module of ``services.console.roles`` declares one
``Section``: its pages, each with the roles that may see it, its template (rendered with
no data) and its script (which fetches the data in the browser)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from services.console import roles as roles_package

PATH = re.compile(r"^/[a-z0-9-]+(/[a-z0-9-]+)*$")


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    # the roles that may see it: those the APIs it calls allow (their require_roles)
    roles: tuple[str, ...]
    # under templates/ and static/
    template: str
    script: str
    # a line on the home page saying what it is for
    summary: str = ""
    # the scopes that may see it too: a partner's sign-in holds a scope, not a role (the
    # APIs' require_scope)
    scopes: tuple[str, ...] = ()

    def __post_init__(self):
        if not PATH.match(self.path) or not (self.roles or self.scopes):
            raise ValueError(f"page {self.path!r}: a lower-case path and at least one role "
                             "or scope")

    @property
    def needs(self) -> str:
        """What a sign-in must hold to see it, in words."""
        held = [f"one of the roles: {', '.join(self.roles)}"] if self.roles else []
        if self.scopes:
            held.append(f"the scope {' or '.join(self.scopes)}")
        return " or ".join(held)


@dataclass(frozen=True)
class Section:
    """One role's pages, in the order of its navigation entries; sections are shown in
    ``order``."""

    name: str
    title: str
    order: int
    pages: tuple[Page, ...]


def sections() -> list[Section]:
    """Every role module's section, in order; two pages on one path are refused."""
    found = []
    for info in pkgutil.iter_modules(roles_package.__path__):
        module = importlib.import_module(f"{roles_package.__name__}.{info.name}")
        section = getattr(module, "SECTION", None)
        if isinstance(section, Section):
            found.append(section)
    found.sort(key=lambda s: (s.order, s.name))
    paths = [p.path for s in found for p in s.pages]
    if len(paths) != len(set(paths)):
        raise ValueError("two console pages share a path")
    return found
