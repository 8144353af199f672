"""Every DuckDB connection the pseudonymiser opens is shut to the internet: a query that
would need an extension fails at once instead of downloading one."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from services.pseudonymiser.probabilistic import engine

SLICE = Path(engine.__file__).resolve().parent.parent


def test_no_extension_is_installed_or_loaded_on_demand():
    con = engine.connect()
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ("
        "'autoinstall_known_extensions', 'autoload_known_extensions', "
        "'allow_community_extensions')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false",
                        "autoload_known_extensions": "false",
                        "allow_community_extensions": "false"}
    # nor does it spill to temporary files, which would hold identities in the clear
    assert con.execute("SELECT current_setting('temp_directory')").fetchone() == ("",)
    with pytest.raises(duckdb.Error, match="requires the extension httpfs to be loaded"):
        con.execute("SELECT * FROM read_csv('https://example.invalid/people.csv')")


def test_every_connection_comes_from_the_engine():
    """duckdb.connect and a bare DuckDBAPI() (which opens its own) appear nowhere else."""
    for path in SLICE.rglob("*.py"):
        if path.name == "engine.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name != "duckdb.connect", f"{path}:{node.lineno} opens its own"
                assert not (name == "DuckDBAPI" and not node.args), \
                    f"{path}:{node.lineno} lets Splink open its own"
