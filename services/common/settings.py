"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from services.common.tokens import (
    DEFAULT_ALGORITHMS,
    HUMAN_ROLES,
    Algorithm,
    ClaimMapping,
    MfaRule,
)

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-only")

VAR = Path("var")
# the issuer `deploy` runs in development (`tessera token`); never a production one
DEVELOPMENT_ISSUER = "https://issuer.tessera.local"
# no token may live longer than this, whatever the settings say: the revocation stream
# keeps a revocation twice as long (services.common.revocations)
MAX_TOKEN_LIFETIME_S = 12 * 3600
DEFAULT_PORTS = {"http": 80, "https": 443}


class WebSettings(BaseSettings):
    """What any of Tessera's HTTP processes is configured with: the slices, and the
    console, which serves pages and holds no data (no database, no NATS)."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    # HTTPS when a certificate and key are given
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # who may read GET /metrics (docs/operations.md, "Metrics, logs and traces"): callers
    # from these networks only, and, when a token file is given, only with that bearer
    # token too; Prometheus scrapes from inside the network, so loopback by default
    metrics_networks: list[IPvAnyNetwork] = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1/128")])
    metrics_token_file: Path | None = None
    # traces sent by OTLP over HTTP to this collector (e.g. http://collector:4318), with
    # the `otlp` extra of tessera-common installed; empty: trace context is only carried
    # on (HTTP and NATS headers, log lines), never exported
    otlp_endpoint: str = ""

    def env_name(self, field_name: str) -> str:
        """The environment variable that sets ``field_name`` for this service."""
        return (self.model_config.get("env_prefix") or "") + field_name.upper()

    @property
    def https(self) -> bool:
        return bool(self.tls_cert_file and self.tls_key_file)

    def insecure(self) -> list[str]:
        """What production may not run with, each naming the setting that fixes it;
        subclasses add theirs."""
        if self.https:
            return []
        return [f"HTTPS is off: set {self.env_name('tls_cert_file')} and "
                f"{self.env_name('tls_key_file')}"]


def exact_origins(origins: list[str]) -> list[str]:
    """Browser origins as CORS compares them (``scheme://host[:port]``, lower case), each
    exactly: a wildcard, a path or a query would let pages the council does not run call
    the services with a signed-in user's token."""
    out = []
    for origin in origins:
        parts = urlsplit(origin.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if ("*" in origin or parts.scheme not in ("http", "https") or not parts.hostname
                or parts.path not in ("", "/") or parts.query or parts.fragment
                or parts.username or parts.password or port == -1):
            raise ValueError("cors_origins: each must be an exact origin, "
                             "scheme://host[:port], with no wildcard or path")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        # a browser's Origin header leaves out the scheme's default port
        if port is not None and port != DEFAULT_PORTS[parts.scheme]:
            host += f":{port}"
        out.append(f"{parts.scheme}://{host}")
    return list(dict.fromkeys(out))


class ServiceSettings(WebSettings):
    """Read from the environment with the service's prefix, e.g. TESSERA_LINKER_DATABASE_URL.

    Secrets may be given as values or as paths to files (the ``*_file`` fields),
    so containers can mount them.
    """

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    database_url: str = ""
    # the URL from a file instead (it holds the database password: a mounted secret)
    database_url_file: Path | None = None
    # SQLite only: the file holding the slice's SQLCipher key (64 hex digits, a raw
    # 256-bit key; anything else a passphrase, stretched on every connection), so the
    # database, its WAL and its backups are encrypted at rest. One key per slice; a
    # SQLite database in production must have one. PostgreSQL: docs/operations.md
    database_key_file: Path | None = None
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str = ""
    nats_password: SecretStr = SecretStr("change-me")
    nats_password_file: Path | None = None
    # the service's NKey seed file: a cluster's servers know services by NKey, not
    # password (deploy/natscluster.py); set, it replaces the user and password
    nats_nkey_file: Path | None = None
    jwks_path: Path = VAR / "keys" / "issuer" / "jwks.json"
    # the issuer's JWKS by URL instead of jwks_path (an identity provider's jwks_uri),
    # fetched at start-up and every jwks_refresh_s
    jwks_url: str | None = None
    jwks_refresh_s: float = 300.0
    # the JWKS file is checked for changes at most this often (an unknown kid: at once)
    jwks_recheck_s: float = 1.0
    # this service's X25519 bus key, with which it authenticates what it sends (default
    # var/keys/bus/<service>.pem), and every service's public keys (services.common.trust)
    bus_key_path: Path | None = None
    bus_trust_path: Path = VAR / "keys" / "bus" / "trust.json"
    # the passphrase of this service's private key files (its bus key; reidentify's log
    # signing key), a secret mounted apart from them; production refuses a private key
    # file stored unencrypted (services.common.signing.load_private_key)
    private_key_passphrase_file: Path | None = None
    token_issuer: str = DEVELOPMENT_ISSUER
    token_audience: str = ""
    # the identity provider's tokens (docs/operations.md): the signature algorithms
    # accepted (HS* and none cannot be named), the JWKS found by OpenID Connect discovery
    # at token_issuer when no jwks_url is given, and where its claims carry what
    # Tessera reads
    token_algorithms: list[Algorithm] = Field(
        default_factory=lambda: list(DEFAULT_ALGORITHMS), min_length=1)
    token_discovery: bool = False
    # accept a token without kid when the issuer publishes one key that could sign it
    # (some providers' ID tokens name none); otherwise a token must name its key
    token_kid_optional: bool = False
    token_claims: ClaimMapping = Field(default_factory=ClaimMapping)
    # per role, what a token must show of a multi-factor sign-in (amr or acr values); a
    # role not named needs none. Production refuses a human role left out (HUMAN_ROLES)
    token_mfa: dict[str, MfaRule] = Field(
        default_factory=lambda: {role: MfaRule() for role in HUMAN_ROLES})
    # the longest any token may live (exp - iat), and less for the roles that can see or
    # change the most; a token holding several roles gets the strictest
    max_token_lifetime_s: int = Field(default=3600, ge=60, le=MAX_TOKEN_LIFETIME_S)
    role_token_lifetime_s: dict[str, int] = Field(default_factory=lambda: {
        "caseworker": 900, "dpo": 900, "admin": 900})
    # NATS over TLS when a CA is given
    nats_tls_ca_file: Path | None = None
    # the browser origins whose pages may call this service with a signed-in user's
    # token (the console's, docs/console.md): exact origins only, none by default
    cors_origins: list[str] = Field(default_factory=list)
    consumer_batch: int = 64
    # SQLite only: each connection's page cache in MB (0: SQLite's default, 2 MB), and
    # how often a background checkpoint copies committed WAL pages into the database
    # (0: SQLite's own, inside the commit that passes 1,000 pages; see db.WalCheckpointer)
    sqlite_cache_mb: int = 0
    sqlite_checkpoint_s: float = 1.0
    # with background checkpoints, a WAL past this many MB is checkpointed with RESTART,
    # which holds writers back while it copies, and cut back to it (db.WalCheckpointer)
    sqlite_wal_limit_mb: int = 64
    # SQLite only: read the database through a memory map of up to this many MB (0: off;
    # SQLite caps it at 2 GB). Pages are then read without a copy into the page cache;
    # mapped pages count in the process's RSS as file pages, which the kernel can drop
    sqlite_mmap_mb: int = 0
    # how long a thread holding the GIL keeps it while others wait (Python's default
    # is 5 ms): a service whose event loop waits on SQLite and DuckDB worker threads
    # pays it on every hand-over while another thread runs Python
    switch_interval_ms: float = 1.0
    # objects allocated (net) before Python's youngest-generation collection (its default
    # is 700). A linkage call allocates hundreds of thousands of short-lived rows: at 700
    # the collector runs a thousand times a burst and its full collections rescan all
    # that start-up built (0: Python's default; figures in docs/benchmarks.md)
    gc_young_objects: int = Field(default=20_000, ge=0)
    # how often a slice holding data sweeps what has outlived its agreement's retention
    retention_interval_s: float = 3600.0
    # a slice that keeps agreements and has not reconciled them with the gateway's
    # registry this long after start-up logs an error (it stays not ready and keeps
    # asking: services.common.reconcile)
    reconcile_alert_after_s: float = Field(default=300.0, gt=0)
    # k of the disclosure rule on every count a slice releases: counts from 1 to k-1 are
    # hidden, and more until none can be worked out (docs/disclosure.md)
    suppression_threshold: int = Field(default=10, ge=2)
    # the security log (services.common.securitylog): the key its heads are signed with
    # (default var/keys/events/<service>.pem, made in development; a deployment's secret
    # elsewhere) or a KMS/HSM command and its public key, how often the head is signed,
    # and how often the whole log is verified
    events_signing_key_path: Path | None = None
    events_signing_command: list[str] | None = None
    events_signing_public_key_path: Path | None = None
    # public halves of earlier events keys, whose heads stay verifiable after a rotation
    events_public_key_paths: list[Path] = Field(default_factory=list)
    security_head_interval_s: float = Field(default=60.0, gt=0)
    security_verify_interval_s: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _lifetimes(self):
        for role, seconds in self.role_token_lifetime_s.items():
            if not 60 <= seconds <= MAX_TOKEN_LIFETIME_S:
                raise ValueError(f"role_token_lifetime_s[{role!r}] must be between 60 and "
                                 f"{MAX_TOKEN_LIFETIME_S} seconds")
        return self

    @model_validator(mode="after")
    def _defaults(self):
        if self.database_url_file is not None:
            self.database_url = read_secret_file(self.database_url_file)
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{VAR / 'data' / (self.service_name + '.db')}"
        if not self.nats_user:
            self.nats_user = self.service_name
        if self.bus_key_path is None:
            self.bus_key_path = VAR / "keys" / "bus" / f"{self.service_name}.pem"
        if self.events_signing_key_path is None and not self.events_signing_command:
            self.events_signing_key_path = VAR / "keys" / "events" / f"{self.service_name}.pem"
        if not self.token_audience:
            self.token_audience = f"tessera-{self.service_name}"
        if self.nats_password_file is not None:
            self.nats_password = SecretStr(read_secret_file(self.nats_password_file))
        return self

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        return exact_origins(value)

    @model_validator(mode="after")
    def _database_key(self):
        if self.database_key_file is not None and not Path(self.database_key_file).is_file():
            raise ValueError(f"database_key_file: no key at {self.database_key_file}")
        return self

    @property
    def refuse_plain_keys(self) -> bool:
        """Private key files must be stored encrypted (production)."""
        return self.environment == "production"

    def database_key(self) -> str | None:
        """The ``PRAGMA key`` operand that opens the SQLite database (None: no
        encryption, or not SQLite)."""
        if (self.database_key_file is None
                or make_url(self.database_url).get_backend_name() != "sqlite"):
            return None
        from services.common.db import read_database_key

        return read_database_key(self.database_key_file)

    def secrets(self) -> dict[str, str]:
        """Secret values to check against placeholders; subclasses add theirs."""
        if self.nats_nkey_file is not None:
            return {}
        return {"nats_password": self.nats_password.get_secret_value()}

    @model_validator(mode="after")
    def _refuse_placeholders(self):
        if self.environment == "development":
            return self
        for name, value in self.secrets().items():
            if not value or any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
                raise ValueError(
                    f"{name} is a placeholder; set a real secret outside development"
                )
        return self

    @property
    def nats_tls(self) -> bool:
        """NATS over TLS: a CA to verify it by, or every server's URL tls://."""
        servers = [u.strip() for u in self.nats_url.split(",") if u.strip()]
        return self.nats_tls_ca_file is not None or all(u.startswith("tls://")
                                                        for u in servers)

    def insecure(self) -> list[str]:
        """What production may not run with, each naming the setting that fixes it;
        slices add their own."""
        found = super().insecure()
        if not self.nats_tls:
            found.append(f"NATS is not over TLS: set {self.env_name('nats_tls_ca_file')}")
        if self.token_issuer.rstrip("/") == DEVELOPMENT_ISSUER:
            found.append(f"{self.env_name('token_issuer')} is the development issuer: "
                         "name the council's identity provider")
        if (self.database_key_file is None
                and make_url(self.database_url).get_backend_name() == "sqlite"):
            found.append(f"{self.env_name('database_key_file')} must be set: a SQLite "
                         "database is encrypted at rest (docs/operations.md)")
        if any(o.startswith("http://") for o in self.cors_origins):
            found.append(f"{self.env_name('cors_origins')} names an origin without HTTPS: "
                         "a token sent to or from it crosses the network in clear")
        missing = [role for role in HUMAN_ROLES if role not in self.token_mfa]
        if missing:
            found.append(f"{self.env_name('token_mfa')} asks no multi-factor sign-in of "
                         f"the roles {', '.join(missing)}")
        return found

    @model_validator(mode="after")
    def _refuse_insecure(self):
        if self.environment == "production" and (found := self.insecure()):
            raise ValueError("refused in production: " + "; ".join(found))
        return self


def read_secret_file(path: Path) -> str:
    return Path(path).read_text().strip()


def read_key(path: Path) -> bytes:
    """A hex-encoded symmetric key from a file."""
    return bytes.fromhex(read_secret_file(path))
