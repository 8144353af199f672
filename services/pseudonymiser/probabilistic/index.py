"""The held records as one in-process DuckDB table, scored against arriving batches.

`LinkageIndex` keeps every held person-level record's Splink features (normalised
values only, keyed by record token) in a DuckDB table, with term-frequency tables
computed from it. `score(new)` blocks and scores the new records against the held ones
and against each other with the trained model (Splink `predict_between`), so a batch
costs one pass over the blocking rules, not a re-score of everything. `score_all()` is
the full re-link's de-duplication over the whole table.

The index is derived data: the pseudonymiser's database is the record, and the index is
rebuilt from it at start-up (`load`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from services.pseudonymiser.probabilistic.comparisons import incremental_blocking
from services.pseudonymiser.probabilistic.frame import COLUMNS
from services.pseudonymiser.probabilistic.model import _TF_COLUMNS, LinkageModel, _uses_tf

log = logging.getLogger("tessera.pseudonymiser")

HELD = "tessera_held"
REACHED = "tessera_reached"  # the held rows a batch's blocking rules reach
# Term frequencies are recomputed when the table has grown or changed by this share.
TF_REFRESH_SHARE = 0.1
# Below this many held records term frequencies are noise (one "Robert" in five records
# is not 20% of the population): no adjustment until there are enough.
TF_MIN_ROWS = 1000


class LinkageIndex:
    def __init__(self, model: LinkageModel, *, threads: int | None = None,
                 memory_limit: str | None = None, lean: bool = True):
        import duckdb
        from splink import DuckDBAPI

        self.model = model
        self.con = duckdb.connect(":memory:")
        if threads:
            self._exec(f"SET threads = {int(threads)}")
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
        self._reach_sql = _reach_sql(
            [r.get_blocking_rule("duckdb").blocking_rule_sql for r in self.batch_rules]
            if lean else [r["blocking_rule"] for r in
                          model.splink["blocking_rules_to_generate_predictions"]])

    def _exec(self, sql: str):
        """Run a statement to completion (DuckDB refuses new work on a connection with
        an unfinished result)."""
        return self.con.execute(sql).fetchall()

    # --- contents ----------------------------------------------------------------------

    def _create_table(self) -> None:
        types = {"given_groups": "VARCHAR[]"}
        cols = ", ".join(f'"{c}" {types.get(c, "VARCHAR")}' for c in COLUMNS)
        self._exec(f"CREATE TABLE {HELD} ({cols}, PRIMARY KEY (unique_id))")

    def __len__(self) -> int:
        return self._exec(f"SELECT count(*) FROM {HELD}")[0][0]

    def upsert(self, frame: pd.DataFrame) -> None:
        """Add records, replacing any held under the same record token."""
        if frame.empty:
            return
        self.con.register("tessera_incoming", frame[list(COLUMNS)])
        try:
            self._exec(f"DELETE FROM {HELD} WHERE unique_id IN "
                             "(SELECT unique_id FROM tessera_incoming)")
            self._exec(f"INSERT INTO {HELD} SELECT * FROM tessera_incoming")
        finally:
            self.con.unregister("tessera_incoming")
        self._changed(len(frame))

    def load(self, frames: Iterable[pd.DataFrame]) -> int:
        """Bulk-load (start-up, full re-link): frames in turn, then term frequencies."""
        for frame in frames:
            self.append(frame)
        self._refresh_tf()
        return len(self)

    def append(self, frame: pd.DataFrame) -> None:
        """Add a page of a bulk load (no term-frequency refresh: `load` does it once at
        the end), so a caller can stream pages instead of holding them all."""
        if not frame.empty:
            self.con.register("tessera_incoming", frame[list(COLUMNS)])
            try:
                self._exec(f"INSERT INTO {HELD} SELECT * FROM tessera_incoming "
                           "ON CONFLICT DO NOTHING")
            finally:
                self.con.unregister("tessera_incoming")

    def remove(self, tokens: Iterable[str]) -> None:
        ids = pd.DataFrame({"unique_id": list(tokens)})
        if ids.empty:
            return
        self.con.register("tessera_gone", ids)
        self._exec(f"DELETE FROM {HELD} WHERE unique_id IN (SELECT unique_id FROM "
                         "tessera_gone)")
        self.con.unregister("tessera_gone")
        self._changed(len(ids))

    def features(self, tokens: Iterable[str]) -> pd.DataFrame:
        ids = pd.DataFrame({"unique_id": list(tokens)})
        self.con.register("tessera_wanted", ids)
        try:
            return self.con.execute(f"SELECT h.* FROM {HELD} h JOIN tessera_wanted w "
                                    "USING (unique_id)").df()
        finally:
            self.con.unregister("tessera_wanted")

    # --- term frequencies ----------------------------------------------------------------

    def _changed(self, n: int) -> None:
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
        self._tf_rows = len(self)
        self._changes_since_tf = 0

    def _ensure_linker(self):
        if self._linker is None:
            self._refresh_tf()
        return self._linker

    # --- scoring -------------------------------------------------------------------------

    def score(self, new: pd.DataFrame) -> pd.DataFrame:
        """Pairs (new, held) and (new, new) at or above the review threshold, banded.
        `unique_id_l` is always a new record; new-new pairs appear once."""
        if new.empty:
            return self.model._finish(pd.DataFrame(columns=_EMPTY))
        linker = self._ensure_linker()
        new = new[list(COLUMNS)]
        # Only the held records a blocking rule reaches go to Splink, which copies and
        # joins every row of its inputs: the same pairs, at a cost that follows the batch
        # instead of everything held. Term frequencies still come from all held records
        # (the registered lookups).
        self.con.register("tessera_batch", new)
        try:
            self._exec(f"CREATE OR REPLACE TEMP TABLE {REACHED} AS {self._reach_sql}")
        finally:
            self.con.unregister("tessera_batch")
        held = self.db_api.register(REACHED)
        left = self.db_api.register(new)
        right = self.db_api.register(new.copy())
        try:
            out = linker.inference.predict_between(
                left, [held, right], threshold_match_probability=self.model.thresholds.review,
                blocking_rules_to_generate_predictions=self.batch_rules, warning_mode="never")
            scored = out.as_pandas_dataframe()
            out.drop_table_from_database_and_remove_from_cache()
        finally:
            for sdf in (left, right):
                sdf.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        new_ids = set(new["unique_id"])
        both_new = scored["unique_id_r"].isin(new_ids)
        # new-new pairs come back in both orders and paired with themselves: keep one
        keep = ~both_new | (scored["unique_id_l"] < scored["unique_id_r"])
        scored = scored[keep & (scored["unique_id_l"] != scored["unique_id_r"])]
        # a record re-sent under a held token is also in the held table: not a pair
        scored = scored.drop_duplicates(["unique_id_l", "unique_id_r"])
        return self.model._finish(scored)

    def score_all(self) -> pd.DataFrame:
        """Every candidate pair within the held records (the full re-link)."""
        linker = self._ensure_linker()
        out = linker.inference.predict(threshold_match_probability=self.model.thresholds.review,
                                       warning_mode="never")
        scored = out.as_pandas_dataframe()
        out.drop_table_from_database_and_remove_from_cache()
        return self.model._finish(scored)


def _reach_sql(rules: list[str]) -> str:
    """The held rows (`r`) that any blocking rule pairs with a batch row (`l`)."""
    reached = " UNION ".join(f"SELECT r.unique_id FROM tessera_batch AS l JOIN {HELD} AS r "
                             f"ON {rule}" for rule in rules)
    return f"SELECT * FROM {HELD} WHERE unique_id IN ({reached})"


_EMPTY = ["unique_id_l", "unique_id_r", "match_weight", "match_probability", "mw_given_name",
          "mw_dob"]
