from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class ReidentifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_REIDENTIFY_", extra="ignore")

    service_name: str = "reidentify"
    port: int = 8004
    pseudonymiser_timeout_s: float = 2.0
    unlock_rate_per_hour: int = 30
    max_token_lifetime_s: int = 900
