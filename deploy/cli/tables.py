"""Rich tables of the services' answers, for a person at a terminal (a script gets the
JSON with --format json, or when it reads a pipe)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from rich.table import Table


def cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) if all(
            not isinstance(v, (dict, list)) for v in value) else json.dumps(value, default=str)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


Column = tuple[str, str] | tuple[str, str, Callable]


def rows(columns: Sequence[Column], *, title: str | None = None,
         caption: str | None = None) -> Callable[[list[dict]], Table]:
    """A table of a list of objects, one row each: (key, heading[, formatter])."""

    def render(items: list[dict]) -> Table:
        table = Table(title=title, caption=caption, caption_justify="left")
        for column in columns:
            table.add_column(column[1], overflow="fold")
        for item in items:
            table.add_row(*(column[2](item.get(column[0])) if len(column) > 2
                            else cell(item.get(column[0])) for column in columns))
        return table

    return render


def fields(*, title: str | None = None, skip: Sequence[str] = ()) -> Callable[[dict], Table]:
    """A two-column table of one object's fields."""

    def render(item: dict) -> Table:
        table = Table(title=title, show_header=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in item.items():
            if key not in skip:
                table.add_row(key, cell(value))
        return table

    return render
