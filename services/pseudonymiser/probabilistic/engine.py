"""DuckDB connections for linkage, every one opened here.

DuckDB's defaults download and load an extension the moment a query needs one (reading
a URL brings httpfs from the internet). The pseudonymiser holds identities and never
needs more than the extensions built into the wheel (parquet, json, icu), so each
connection is opened with automatic install and load off, and community extensions
refused: nothing it runs can fetch code or reach out. Nor does DuckDB spill to
temporary files, which would hold identities unencrypted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

LOCKED_DOWN = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    # no spilling to disk: what DuckDB would write there is identities in the clear (it
    # can encrypt its temporary files only with httpfs, which is never loaded)
    "temp_directory": "",
}


def connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    import duckdb  # imported when first used: it adds a second to a slice's start

    return duckdb.connect(database, config=dict(LOCKED_DOWN))
