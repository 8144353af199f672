from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class ConsentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_CONSENT_", extra="ignore")

    service_name: str = "consent"
    port: int = 8005
