from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR, ServiceSettings


class PseudonymiserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_PSEUDONYMISER_", extra="ignore")

    service_name: str = "pseudonymiser"
    port: int = 8001
    person_key_path: Path = VAR / "keys" / "pseudonym-person.key"
    household_key_path: Path = VAR / "keys" / "pseudonym-household.key"
    # the linkage model used until one is trained from the data (then the database's)
    model_path: Path = Path(__file__).parent / "probabilistic" / "default_model.json"
    link_threshold: float | None = None  # override the model's band thresholds
    review_threshold: float | None = None
    # institutions: a file of address keys or UPRNs (one a line), name keywords, and the
    # residents heuristic (at least this many people with this many family names)
    institutions_path: Path | None = None
    institution_keywords: list[str] | None = None
    institution_min_members: int = 6
    institution_min_surnames: int = 4
    # identity batches linked together in one scoring pass (at most, when queued)
    link_group_messages: int = 16
    # score the next group of identity batches while the current one is linked (ahead.py)
    score_ahead: bool = True
    # a fetch of identity batches that finds fewer than a group waits this long once for
    # more: during a burst the first calls link full groups, not one message each
    link_linger_s: float = 0.2
    # linkage inserts into indexes keyed by random tokens over a million rows: a larger
    # page cache keeps their pages between calls (SQLite only)
    sqlite_cache_mb: int = 128
    # and reads them through a memory map, without copying each page into that cache
    # (in-process at 1M held, the calls' SQL took 2.1-2.5 s instead of 3.0-3.9 s)
    sqlite_mmap_mb: int = 2048
    # a burst of 20,000 records at 1M held writes about 200 MB of WAL: under 64 MB every
    # call's commit met a RESTART checkpoint holding writers back (in-process at 1M,
    # 20,000 records: 13.1 s of CPU with 64 MB, 12.0 s with 1,024 MB)
    sqlite_wal_limit_mb: int = 512
    # DuckDB threads scoring arriving batches (0: one per core); loading the index and
    # the full re-link always use one per core
    scoring_threads: int = 1
    # arriving batches are blocked with the narrower rules ("lean") or the model's own
    # ("model"); the full re-link always uses the model's
    incremental_blocking: Literal["lean", "model"] = "lean"
    # an identity request older than this (by the time reidentify issued it) is refused,
    # and a request is answered once: its access id is remembered at least this long
    release_max_age_s: float = 30.0
