from __future__ import annotations

import socket
from pathlib import Path
from typing import Literal

from pydantic import model_validator
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
    sqlite_mmap_mb: int = 2048
    # a burst writes hundreds of MB of WAL: a lower limit makes nearly every call's
    # commit meet a RESTART checkpoint holding writers back (docs/benchmarks.md)
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
    # The linkage model learns from the held records (learning.py). It trains by itself
    # once this many person-level records are held and no identity batch has come for
    # learn_quiet_s (a first load in full flow is not trained on half-way), then again
    # each time the held records have grown by learn_growth since its last training.
    learn_auto: bool = True
    learn_min_records: int = 1000
    learn_growth: float = 0.25
    learn_quiet_s: float = 30.0
    learn_check_interval_s: float = 10.0
    learn_sample: int = 300_000  # trained on a random sample of at most this many records
    learn_seed: int = 42
    learn_u_max_pairs: float = 5e6  # record pairs sampled to estimate u
    # DuckDB threads for training and a new model's index, and the trainer's nice value:
    # linkage of arriving batches keeps the rest of the machine
    learn_threads: int = 1
    learn_nice: int = 10
    # A new model is refused (an operator can force it) when it keeps fewer than this
    # share of the record pairs held together now, agrees with fewer clerical decisions
    # than the current one (by more than 2%), or makes a person of more records than
    # learn_max_person and twice the largest held now.
    learn_min_kept: float = 0.9
    learn_max_person: int = 50
    # a re-link applies this many pieces of its plan per transaction, linkage calls
    # taking their turn in between
    relink_chunk_pieces: int = 200
    # One linkage writer among the replicas (writer.py), elected through a lease in NATS
    # (services.common.lease): the writer renews it every lease_renew_s, and a standby,
    # looking as often, takes it over once it has not been renewed for lease_ttl_s
    # (then rebuilds the index): with these, within lease_ttl_s + 2 * lease_renew_s
    # of the writer's last renewal, and the rebuild (docs/linkage.md)
    lease_ttl_s: float = 5.0
    lease_renew_s: float = 1.0
    # this replica's name (unique among the live replicas; a replica restarted under its
    # name takes its own lease back at once); default: host name and port
    replica: str | None = None
    # where clients reach this replica directly, named by a standby that refuses a write
    replica_url: str | None = None
    # a standby keeps an index of its own, following the database every lease_renew_s,
    # so that when elected it catches up instead of rebuilding (which grows with the
    # records held); the index's memory on every replica
    standby_index: bool = True

    @model_validator(mode="after")
    def _lease(self):
        if self.lease_renew_s <= 0 or self.lease_ttl_s < 2 * self.lease_renew_s:
            raise ValueError("lease_ttl_s must be at least twice lease_renew_s (> 0)")
        return self

    @property
    def replica_name(self) -> str:
        return self.replica or f"{socket.gethostname()}:{self.port}"
