"""Backing up and restoring a slice's SQLite database (`python -m services.<slice> backup
--to FILE` and `restore --from FILE`).

A backup uses SQLite's online backup API: a consistent copy of the database as one
transaction saw it, taken while the service runs and writes, WAL included; the copy is
checked (``PRAGMA integrity_check``) and only then put in place, so a backup file is
whole or absent. A restore, with the service stopped, checks the file the same way and
swaps it in for the database, the old WAL and shared-memory files removed (they belong
to the database being replaced). A slice on PostgreSQL is backed up with the server's
own tools (``pg_dump -Fc``, ``pg_restore``; docs/operations.md): these commands say so.

With a database key (``database_key_file``) the backup is a SQLCipher file under the
same key, as encrypted as the database it copies; a restore opens the backup with it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from services.common.db import (
    SQLITE_DATABASE_ERRORS,
    DatabaseKeyError,
    sqlite_connect,
    sqlite_path,
)


class BackupError(Exception):
    """Why a backup or restore was refused (names files, never their content)."""


def _sqlite(database_url: str) -> Path:
    path = sqlite_path(database_url)
    if path is None:
        raise BackupError("this database is not SQLite: back it up with pg_dump -Fc and "
                          "restore it with pg_restore (docs/operations.md)")
    return path


def _check(path: Path, key: str | None) -> None:
    try:
        con = sqlite_connect(f"file:{path}?mode=ro", key, uri=True)
    except DatabaseKeyError:
        raise BackupError(f"{path.name} does not open with the slice's database key "
                          "(database_key_file)") from None
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'alembic_version'").fetchone()[0]
    except SQLITE_DATABASE_ERRORS as exc:
        raise BackupError(f"{path.name} is not a SQLite database: {exc}") from None
    finally:
        con.close()
    if verdict != "ok":
        raise BackupError(f"{path.name} failed its integrity check")
    if not tables:
        raise BackupError(f"{path.name} holds no migrated slice database")


def backup(database_url: str, target: Path, key: str | None = None) -> dict:
    source = _sqlite(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    # the copy is keyed like the source: SQLCipher's backup API copies between
    # databases of one key, page by page, without a plaintext page on disk
    src, dst = sqlite_connect(source, key), sqlite_connect(partial, key)
    try:
        src.backup(dst, pages=4096)  # in steps, so the service's writers are not held off
    finally:
        dst.close()
        src.close()
    os.chmod(partial, 0o600)  # it holds what the database holds
    _check(partial, key)
    os.replace(partial, target)
    return {"backup": str(target), "bytes": target.stat().st_size}


def restore(database_url: str, source: Path, key: str | None = None) -> dict:
    """Replace the slice's database with a backup; run with the service stopped, then
    migrate (a backup from an older release is brought up to date)."""
    target = _sqlite(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    _check(source, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, incoming)
    os.chmod(incoming, 0o600)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)
    os.replace(incoming, target)
    return {"restored": str(target), "from": str(source)}
