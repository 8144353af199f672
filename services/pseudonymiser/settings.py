from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR, ServiceSettings


class PseudonymiserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_PSEUDONYMISER_", extra="ignore")

    service_name: str = "pseudonymiser"
    port: int = 8001
    person_key_path: Path = VAR / "keys" / "pseudonym-person.key"
    household_key_path: Path = VAR / "keys" / "pseudonym-household.key"
