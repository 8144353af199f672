from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR, ServiceSettings


class ReidentifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_REIDENTIFY_", extra="ignore")

    service_name: str = "reidentify"
    port: int = 8004
    pseudonymiser_timeout_s: float = 2.0
    unlock_rate_per_hour: int = 30
    max_token_lifetime_s: int = 900
    # Ed25519 key that signs the access log's head; created in development if missing,
    # its public half alongside (name.pub.pem). Required outside development.
    log_signing_key_path: Path = VAR / "keys" / "reidentify-log-signing.pem"
    # where signed heads are appended, one JSON line each (outside the database)
    signed_heads_path: Path = VAR / "exports" / "access-log-heads.jsonl"
    head_signing_interval_s: float = 60.0
    # serve POST /v1/unlock without the framework's routing when every check passes
    # (services/reidentify/fastpath.py); False sends every request through the route
    fast_unlock: bool = True
