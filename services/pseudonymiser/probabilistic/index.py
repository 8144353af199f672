"""The held records as one in-process DuckDB table, scored against arriving batches.

`LinkageIndex` keeps every held person-level record's Splink features (normalised
values only, keyed by record token) in a DuckDB table, with term-frequency tables
computed from it. `score(new)` blocks and scores the new records against the held ones
and against each other with the trained model (SQL built once per model, pairs.py), so
a batch costs one pass over the blocking rules, not a re-score of everything.
`score_all()` is the full re-link's de-duplication over the whole table (Splink
`predict`).

The index is derived data: the pseudonymiser's database is the record, and the index is
rebuilt from it at start-up (`load`). It counts its changes (`generation`) and keeps the
last few with their rows, so a batch scored ahead on a connection of its own (`score_at`,
services/pseudonymiser/ahead.py) can be caught up against what changed since
(`changed_since`, `score_changed`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from services.pseudonymiser.probabilistic import engine, pairs
from services.pseudonymiser.probabilistic import snapshot as sealed
from services.pseudonymiser.probabilistic.comparisons import incremental_blocking
from services.pseudonymiser.probabilistic.frame import COLUMNS
from services.pseudonymiser.probabilistic.model import (
    _OUT,
    _TF_COLUMNS,
    LinkageModel,
    _uses_tf,
)

log = logging.getLogger("tessera.pseudonymiser")

HELD = "tessera_held"
CHANGED = "tessera_changed"  # held rows changed since a batch was scored ahead
# how many recent changes (one per linked call, with their rows) `changed_since` knows
CHANGE_LOG = 16
# Term frequencies are recomputed when the table has grown or changed by this share.
TF_REFRESH_SHARE = 0.1
# Below this many held records term frequencies are noise (one "Robert" in five records
# is not 20% of the population): no adjustment until there are enough.
TF_MIN_ROWS = 1000


@dataclass(eq=False)
class Journal:
    """Every token changed in an index since `follow()` (a model in training is caught
    up with them); `broken` once a bulk load replaced what it followed."""

    tokens: set[str] = field(default_factory=set)
    broken: bool = False


class LinkageIndex:
    def __init__(self, model: LinkageModel, *, threads: int | None = None,
                 memory_limit: str | None = None, lean: bool = True,
                 scoring_threads: int | None = None):
        from splink import DuckDBAPI

        self.model = model
        # the main connection runs one statement sequence at a time (linkage calls it
        # from worker threads); scoring ahead has a connection of its own (score_at)
        self._lock = threading.RLock()
        self._log_lock = threading.Lock()  # generation and log, read without waiting
        self.generation = 0  # counts changes (upsert, remove, bulk load)
        # (generation, tokens, their rows as stored then; None for a removal)
        self._log: deque[tuple[int, frozenset[str], pd.DataFrame | None]] = deque(
            maxlen=CHANGE_LOG)
        self._floor = 0  # changes before this generation are not in the log
        self._journals: list[Journal] = []
        self.con = engine.connect()
        # DuckDB's threads for bulk work (load, full re-link; None: one per core), and
        # for scoring arriving batches: those are small queries, run beside the event
        # loop's own work, where a second DuckDB thread costs more than it gives
        self._threads = f"SET threads = {int(threads)}" if threads else "RESET threads"
        self._scoring_threads = (f"SET threads = {int(scoring_threads)}" if scoring_threads
                                 else self._threads)
        self._threads_lock = threading.Lock()
        self._in_bulk = False
        # a connection of its own for the thread count while a call waits (the main one
        # may be busy in a worker thread), used under _threads_lock
        self._settings = self.con.cursor()
        self._exec(self._scoring_threads)
        if memory_limit:
            self._exec(f"SET memory_limit = '{memory_limit}'")
        self._create_table()
        self.db_api = DuckDBAPI(self.con)
        self._linker = None
        self._changes_since_tf = 0
        self._tf_rows = 0
        self._tf_cols = [c for c in _TF_COLUMNS if _uses_tf(model.splink, c)]
        # arriving batches: the narrower rules (comparisons.incremental_blocking), or
        # None for the model's own prediction rules
        self.batch_rules = incremental_blocking(model.features) if lean else None
        model_rules = [r["blocking_rule"] for r in
                       model.splink["blocking_rules_to_generate_predictions"]]
        rules = ([r.get_blocking_rule("duckdb").blocking_rule_sql for r in self.batch_rules]
                 if lean else model_rules)
        # (pairs, left, right) against everything held, and against the changed rows only
        self._sql = {table: pairs.plan(table, rules, list(COLUMNS), self._tf_cols,
                                       whole=table == HELD)
                     for table in (HELD, CHANGED)}
        # with the model's own rules, as the full re-link pairs records (`score(full=)`)
        self._full_sql = pairs.plan(HELD, model_rules, list(COLUMNS), self._tf_cols,
                                    whole=True)
        self._scoring_sql = ""  # built with the linker (_refresh_tf)

    def _exec(self, sql: str):
        """Run a statement to completion (DuckDB refuses new work on a connection with
        an unfinished result)."""
        return self.con.execute(sql).fetchall()

    @contextmanager
    def _frame(self, name: str, frame: pd.DataFrame, con=None) -> Iterator[None]:
        """`frame` readable as the view `name` on `con` (the main connection) meanwhile."""
        con = con or self.con
        con.register(name, frame)
        try:
            yield
        finally:
            con.unregister(name)

    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Bulk work with the bulk thread count, then back to the scoring one."""
        with self._threads_lock:
            self._in_bulk = True
            self._exec(self._threads)
        try:
            yield
        finally:
            with self._threads_lock:
                self._in_bulk = False
                self._exec(self._scoring_threads)

    @contextmanager
    def hurried(self) -> Iterator[None]:
        """While a caller waits for a scoring (nothing else of the service can run on the
        other cores meanwhile): DuckDB's bulk thread count, then the scoring one again.
        The setting is the whole database's, so a scoring under way speeds up from its
        next statement on."""
        self._set_threads(self._threads)
        try:
            yield
        finally:
            self._set_threads(self._scoring_threads)

    def _set_threads(self, sql: str) -> None:
        with self._threads_lock:
            if self._in_bulk:  # a load or re-link sets its own
                return
            self._settings.execute(sql).fetchall()

    # --- contents ----------------------------------------------------------------------

    def _create_table(self) -> None:
        types = {"given_groups": "VARCHAR[]"}
        cols = ", ".join(f'"{c}" {types.get(c, "VARCHAR")}' for c in COLUMNS)
        self._exec(f"CREATE TABLE {HELD} ({cols}, PRIMARY KEY (unique_id))")

    def __len__(self) -> int:
        with self._lock:
            return self._exec(f"SELECT count(*) FROM {HELD}")[0][0]

    def upsert(self, frame: pd.DataFrame) -> None:
        """Add records, replacing any held under the same record token."""
        if frame.empty:
            return
        frame = frame[list(COLUMNS)]
        with self._lock:
            with self._frame("tessera_incoming", frame):
                self._exec("BEGIN TRANSACTION")  # both or neither: a record is never lost
                try:
                    self._exec(f"DELETE FROM {HELD} WHERE unique_id IN "
                               "(SELECT unique_id FROM tessera_incoming)")
                    self._exec(f"INSERT INTO {HELD} SELECT * FROM tessera_incoming")
                except BaseException:
                    self._exec("ROLLBACK")
                    raise
                self._exec("COMMIT")
            self._changed(frame["unique_id"], frame)

    def changed_since(self, generation: int) -> tuple[set[str], pd.DataFrame] | None:
        """The tokens added, replaced or removed after `generation`, and the rows held
        under them now; None when that is too long ago to know (a bulk load since, or
        more changes than the log keeps)."""
        with self._log_lock:
            if generation < self._floor or (
                    self._log and generation < self._log[0][0] - 1):
                return None
            entries = [(tokens, rows) for g, tokens, rows in self._log if g > generation]
        latest: dict[str, int] = {}  # token -> the entry with its rows now (-1: removed)
        for i, (tokens, rows) in enumerate(entries):
            latest.update(dict.fromkeys(tokens, -1 if rows is None else i))
        kept = [rows[rows["unique_id"].map(latest) == i]
                for i, (_, rows) in enumerate(entries) if rows is not None]
        held = (pd.concat(kept, ignore_index=True) if kept
                else pd.DataFrame(columns=list(COLUMNS)))
        return set(latest), held

    def load(self, frames: Iterable[pd.DataFrame]) -> int:
        """Bulk-load (start-up, full re-link): frames in turn, then term frequencies."""
        with self._lock, self._bulk():
            self._rebase()
            for frame in frames:
                self.append(frame)
            self._refresh_tf()
            return len(self)

    def append(self, frame: pd.DataFrame) -> None:
        """Add a page of a bulk load (no term-frequency refresh: `load` does it once at
        the end), so a caller can stream pages instead of holding them all."""
        with self._lock:
            self._rebase()
            if not frame.empty:
                with self._frame("tessera_incoming", frame[list(COLUMNS)]):
                    self._exec(f"INSERT INTO {HELD} SELECT * FROM tessera_incoming "
                               "ON CONFLICT DO NOTHING")

    def remove(self, tokens: Iterable[str]) -> None:
        ids = pd.DataFrame({"unique_id": list(tokens)})
        if ids.empty:
            return
        with self._lock:
            with self._frame("tessera_gone", ids):
                self._exec(f"DELETE FROM {HELD} WHERE unique_id IN (SELECT unique_id FROM "
                           "tessera_gone)")
            self._changed(ids["unique_id"], None)

    def snapshot(self, path: Path, key: bytes) -> tuple[int, Journal]:
        """Write every held row to a sealed Parquet file (snapshot.py), read on a
        connection of its own (linking goes on meanwhile); returns how many, and a
        journal of the changes after them."""
        with self._lock:
            con = self.con.cursor()
            journal = Journal()
            with self._log_lock:
                self._journals.append(journal)
        try:
            con.execute("BEGIN TRANSACTION")
            table = con.execute(f"SELECT * FROM {HELD}").to_arrow_table()
            con.execute("COMMIT")
            sealed.write(path, table, key)
            rows = table.num_rows
        except BaseException:
            self.unfollow(journal)
            raise
        finally:
            con.close()
        return rows, journal

    def drain(self, journal: Journal) -> set[str]:
        """The tokens a journal has gathered since it was last drained."""
        with self._log_lock:
            tokens, journal.tokens = journal.tokens, set()
        return tokens

    def tokens(self) -> set[str]:
        with self._lock:
            return {t for (t,) in self._exec(f"SELECT unique_id FROM {HELD}")}

    def bulk_threads(self, threads: int | None) -> None:
        """DuckDB's threads for bulk work from now on (None: one per core)."""
        with self._threads_lock:
            self._threads = f"SET threads = {int(threads)}" if threads else "RESET threads"

    def unfollow(self, journal: Journal) -> None:
        with self._log_lock:
            if journal in self._journals:
                self._journals.remove(journal)

    def load_snapshot(self, path: Path, key: bytes) -> int:
        """Bulk-load a file `snapshot` wrote (a new model's index, built beside the live
        one)."""
        held = sealed.read(path, key)
        with self._lock, self._bulk():
            self._rebase()
            self.con.register("tessera_snapshot", held)
            try:
                self._exec(f"INSERT INTO {HELD} SELECT * FROM tessera_snapshot "
                           "ON CONFLICT DO NOTHING")
            finally:
                self.con.unregister("tessera_snapshot")
            self._refresh_tf()
            return len(self)

    def features(self, tokens: Iterable[str]) -> pd.DataFrame:
        ids = pd.DataFrame({"unique_id": list(tokens)})
        with self._lock, self._frame("tessera_wanted", ids):
            return self.con.execute(f"SELECT h.* FROM {HELD} h JOIN tessera_wanted w "
                                    "USING (unique_id)").df()

    # --- term frequencies ----------------------------------------------------------------

    def _rebase(self) -> None:
        """A bulk change: what changed before it is no longer known record by record."""
        with self._log_lock:
            self.generation += 1
            self._floor = self.generation
            self._log.clear()
            for journal in self._journals:
                journal.broken = True

    def _changed(self, tokens: pd.Series, rows: pd.DataFrame | None) -> None:
        with self._log_lock:
            self.generation += 1
            self._log.append((self.generation, frozenset(tokens), rows))
            for journal in self._journals:
                journal.tokens.update(tokens)
        n = len(tokens)
        self._changes_since_tf += n
        if self._changes_since_tf > max(1000, TF_REFRESH_SHARE * self._tf_rows):
            self._refresh_tf()

    def _refresh_tf(self) -> None:
        """Term frequencies of the held values (a value only a new record has gets no
        adjustment, which is neutral)."""
        from splink import Linker

        enough = len(self) >= TF_MIN_ROWS
        for col in self._tf_cols:
            self._exec(f"""
                CREATE OR REPLACE TABLE tessera_tf_{col} AS
                SELECT "{col}", count(*)::DOUBLE / sum(count(*)) OVER () AS "tf_{col}"
                FROM {HELD} WHERE "{col}" IS NOT NULL AND {enough} GROUP BY "{col}"
            """)
        # A fresh linker each refresh: its cache must hold the new tables.
        self.db_api = type(self.db_api)(self.con)
        self._linker = Linker(self.db_api.register(HELD), self.model.splink, log_level=None)
        for col in self._tf_cols:
            tf = self.db_api.register(f"tessera_tf_{col}")
            self._linker.table_management.register_term_frequency_lookup(tf, col)
        self._scoring_sql = pairs.scoring_sql(self._linker._settings_obj,
                                              self.model.thresholds.review)
        self._tf_rows = len(self)
        self._changes_since_tf = 0

    def _ensure_linker(self):
        if self._linker is None:
            self._refresh_tf()
        return self._linker

    # --- scoring -------------------------------------------------------------------------

    def score(self, new: pd.DataFrame, *, full: bool = False) -> pd.DataFrame:
        """Pairs (new, held) and (new, new) at or above the review threshold, banded.
        `unique_id_l` is always a new record; new-new pairs appear once; a record re-sent
        under a held token is scored as sent, not against its held version. `full`: with
        the model's own blocking rules, as the full re-link pairs records, whatever rules
        arriving batches use."""
        return self.score_at(new, full=full)[0]

    def score_at(self, new: pd.DataFrame, *, full: bool = False) -> tuple[pd.DataFrame, int]:
        """`score` on a connection of its own, in one transaction, so that linking on
        the main connection (catching up, `upsert`) does not wait for it; and the
        generation its snapshot includes (later changes are in `changed_since`)."""
        with self._lock:
            self._ensure_linker()
            generation, scoring_sql = self.generation, self._scoring_sql
            con = self.con.cursor()
        try:
            con.execute("BEGIN TRANSACTION")
            scored = self._score_on(con, new, self._full_sql if full else self._sql[HELD],
                                    scoring_sql)
            con.execute("COMMIT")
        finally:
            con.close()
        return scored, generation

    def score_changed(self, new: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
        """Pairs of new records with the given held rows only (those changed since the
        new records were scored ahead: `changed_since`); no new-new pairs."""
        with self._lock:
            with self._frame("tessera_wanted", held[list(COLUMNS)]):
                self._exec(f"CREATE OR REPLACE TEMP TABLE {CHANGED} AS "
                           "SELECT * FROM tessera_wanted")
            try:
                return self._score(new, CHANGED)
            finally:
                self._exec(f"DROP TABLE IF EXISTS {CHANGED}")

    def _score(self, new: pd.DataFrame, held: str) -> pd.DataFrame:
        self._ensure_linker()
        return self._score_on(self.con, new, self._sql[held], self._scoring_sql)

    def _score_on(self, con, new: pd.DataFrame, plan: pairs.Plan,
                  scoring_sql: str) -> pd.DataFrame:
        if new.empty:
            return self.model._finish(pd.DataFrame(columns=_OUT))
        # a DuckDB table, not a view of the frame: every rule's join reads it
        with self._frame("tessera_incoming", new[list(COLUMNS)], con):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {pairs.BATCH} AS "
                        "SELECT * FROM tessera_incoming").fetchall()
        try:
            for sql in plan.before:
                con.execute(sql).fetchall()
            con.execute(f"CREATE OR REPLACE TEMP TABLE {pairs.PAIRS} AS {plan.pairs}").fetchall()
            con.execute(f"CREATE OR REPLACE TEMP TABLE {pairs.LEFT} AS {plan.left}").fetchall()
            con.execute(f"CREATE OR REPLACE TEMP TABLE {pairs.RIGHT} AS {plan.right}").fetchall()
            scored = con.execute(scoring_sql).df()
        finally:
            for table in (pairs.BATCH, pairs.PAIRS, pairs.LEFT, pairs.RIGHT, *plan.temps):
                con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
        return self.model._finish(scored)

    def score_all(self) -> pd.DataFrame:
        """Every candidate pair within the held records (the full re-link)."""
        with self._lock, self._bulk():
            linker = self._ensure_linker()
            out = linker.inference.predict(
                threshold_match_probability=self.model.thresholds.review, warning_mode="never")
            scored = out.as_pandas_dataframe()
            out.drop_table_from_database_and_remove_from_cache()
        return self.model._finish(scored)

