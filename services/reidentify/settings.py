from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import MAX_TOKEN_LIFETIME_S, VAR, ServiceSettings


class ReidentifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_REIDENTIFY_", extra="ignore")

    service_name: str = "reidentify"
    port: int = 8004
    pseudonymiser_timeout_s: float = 2.0
    unlock_rate_per_hour: int = 30
    max_token_lifetime_s: int = Field(default=900, ge=60, le=MAX_TOKEN_LIFETIME_S)
    # Ed25519 key that signs the access log's head; created in development if missing,
    # its public half alongside (name.pub.pem). Outside development keep it off this
    # host's data volume, or sign through a KMS or HSM instead: log_signing_command (argv,
    # the bytes on stdin, the signature on stdout) with log_signing_public_key_path
    log_signing_key_path: Path | None = VAR / "keys" / "reidentify-log-signing.pem"
    log_signing_command: list[str] | None = None
    log_signing_public_key_path: Path | None = None
    # the public keys a signed head may be checked with, kept apart from the signing key
    # (required in production; in development and tests, the signing key's own)
    log_public_key_paths: list[Path] = []
    # where signed heads are appended, one JSON line each (outside the database); they go
    # to the AUDIT_HEADS stream (the gateway keeps them) too, and to head_export_dir when
    # set (one read-only file per head: mount a write-once store there)
    signed_heads_path: Path = VAR / "exports" / "access-log-heads.jsonl"
    head_export_dir: Path | None = None
    head_signing_interval_s: float = 60.0
    # subject access: releases a DPO may be given in an hour, and how long a case stays
    # open unless closed (a month to answer, extendable by two: UK GDPR Art. 12(3))
    subject_access_rate_per_hour: int = 60
    subject_access_case_days: int = 90
    # serve POST /v1/unlock without the framework's routing when every check passes
    # (services/reidentify/fastpath.py); False sends every request through the route
    fast_unlock: bool = True

    def insecure(self) -> list[str]:
        found = super().insecure()
        if not self.log_public_key_paths:
            found.append(f"{self.env_name('log_public_key_paths')} must name the trusted "
                         "log keys (a copy kept apart from the signing key)")
        return found
