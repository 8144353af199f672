from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings

RULES_DIR = Path(__file__).resolve().parent / "rules"


class ScorerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_SCORER_", extra="ignore")

    service_name: str = "scorer"
    port: int = 8003
    # Built-in rule sets (YAML), stored as version 1 when their id is not yet known.
    rules_dir: Path = RULES_DIR
    # Fix "today" (UTC) for demonstrations and tests; by default the current UTC date.
    # Refused in production, where a frozen clock would stop flags ageing out.
    today: date | None = None
    flags_per_message: int = 500
    # How often the ageing-out sweep runs, and how many profiles one sweep asks for again.
    sweep_interval_s: float = 3600.0
    sweep_batch: int = 50_000
    # How often cohort members are measured at the month ends they have not been measured
    # at (a month is measured once it has ended), and how many one transaction measures.
    outcomes_interval_s: float = 3600.0
    outcomes_batch: int = 2000
    # Bulk re-score chunks fetched per pull (each is about 2 MB of profiles).
    export_fetch_batch: int = 2

    @model_validator(mode="after")
    def _no_fixed_date_in_production(self):
        if self.today is not None and self.environment == "production":
            raise ValueError("today is for demonstrations and tests; unset it in production")
        return self
