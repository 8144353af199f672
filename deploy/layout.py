"""Where the local runner keeps its state (all under var/, git-ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PORTS = {
    "gateway": 8000, "pseudonymiser": 8001, "linker": 8002,
    "scorer": 8003, "reidentify": 8004, "consent": 8005,
}
# what `tessera run` serves besides: the console, and the development sign-in it uses
WEB_PORTS = {"console": 8006, "signin": 8007}
NATS_PORT = 4222
NATS_MONITOR_PORT = 8222


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def issuer(self) -> Path:
        return self.keys / "issuer"

    @property
    def jwks(self) -> Path:
        return self.issuer / "jwks.json"

    @property
    def nats_dir(self) -> Path:
        return self.root / "nats"

    @property
    def nats_conf(self) -> Path:
        return self.nats_dir / "nats.conf"

    @property
    def nats_passwords(self) -> Path:
        return self.nats_dir / "passwords.json"

    @property
    def jetstream(self) -> Path:
        return self.nats_dir / "jetstream"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_key(self) -> Path:
        """reidentify's access-log signing key (its public half alongside, .pub.pem)."""
        return self.keys / "reidentify-log-signing.pem"

    @property
    def bus_keys(self) -> Path:
        return self.keys / "bus"

    def bus_key(self, service: str) -> Path:
        return self.bus_keys / f"{service}.pem"

    def events_key(self, service: str) -> Path:
        """A service's security-log signing key (its public half alongside, .pub.pem)."""
        return self.keys / "events" / f"{service}.pem"

    @property
    def bus_trust(self) -> Path:
        return self.bus_keys / "trust.json"

    def key(self, name: str) -> Path:
        return self.keys / f"{name}.key"

    @property
    def jetstream_key(self) -> Path:
        """The key nats-server encrypts its JetStream store with."""
        return self.key("jetstream")

    def passphrase(self, service: str) -> Path:
        """The passphrase a service's private key files are encrypted with."""
        return self.keys / "passphrase" / service

    def database_key(self, service: str) -> Path:
        """The SQLCipher key of a slice's SQLite database (one per slice)."""
        return self.keys / "database" / f"{service}.key"

    def database_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{(self.data / (service + '.db')).resolve()}"
