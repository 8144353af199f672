from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class LinkerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_LINKER_", extra="ignore")

    service_name: str = "linker"
    port: int = 8002
    # Aggregates below this count are suppressed (shown as null).
    suppression_threshold: int = 10
    # Profiles per ProfileBatch message.
    profiles_per_message: int = 200
