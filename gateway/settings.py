from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR, ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    # The key for record, event and batch tokens (hex, one line); only the gateway holds it.
    hmac_key_path: Path = Path("var") / "keys" / "gateway-hmac.key"
    # Partners, datasets, agreements and codes, loaded into the registry tables at start.
    registry_path: Path = Path("deploy") / "config" / "registry.yaml"
    # Accepted rows per NATS message.
    chunk_rows: int = 500
    # Rows per request, and request body size; beyond either the request is refused (413).
    max_rows: int = 50_000
    max_body_bytes: int = 20 * 1024 * 1024
    # How long to wait for JetStream to acknowledge every chunk before answering 503.
    publish_timeout_s: float = 10.0
    # the public keys reidentify's access-log heads may be signed with: this service keeps
    # only heads they verify (its own copy, apart from reidentify's host)
    audit_log_key_paths: list[Path] = [VAR / "keys" / "reidentify-log-signing.pub.pem"]
