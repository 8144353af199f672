from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from services.common.durations import parse_duration
from services.common.settings import ServiceSettings


class LinkerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_LINKER_", extra="ignore")

    service_name: str = "linker"
    port: int = 8002
    # Profiles per ProfileBatch message.
    profiles_per_message: int = 200
    # Assignment messages applied together in one transaction when several are queued
    # (a 20,000-record push sends about 60 of 500 assignments each)
    assignment_group_messages: int = 8
    # Changed profiles are coalesced: every interval the publisher sends each marked
    # profile once, in rounds of at most this many profiles (one transaction each).
    profile_interval_s: float = 0.5
    profiles_per_round: int = 2000
    # After rounds that took t seconds, wait pacing x t more (at most the cap), so that
    # publication never crowds out storing events under sustained ingest.
    profile_pacing: float = 2.0
    profile_max_pause_s: float = 30.0
    # Bulk re-score exports: profiles per chunk (one JetStream message each, well under
    # the 8 MB payload limit) and how often the exporter looks for requested exports.
    export_profiles_per_chunk: int = 20_000
    export_interval_s: float = 0.25
    # the events of a person who opted out of everything are withheld at once and erased
    # by the retention sweep once the opt-out has stood this long (ISO 8601 duration): a
    # mistaken opt-out can be undone until then (docs/consent.md)
    optout_erasure_after: str = "P30D"

    @field_validator("optout_erasure_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value
