"""A development certificate authority and server certificates for TLS on NATS and HTTP.

Production deployments mount certificates from the council's own CA; the paths are
the same settings either way (TESSERA_<SERVICE>_TLS_* and TESSERA_<SERVICE>_NATS_TLS_*).
trustme makes the CA and the certificate; they are written once and kept, so a
restart, or a client that trusted the CA, goes on with the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class Bundle:
    ca: Path
    cert: Path
    key: Path


def ensure(directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), *,
           client_auth: bool = False) -> Bundle:
    """Create (once) a CA and one server certificate valid for ``hosts``. trustme's
    certificate also serves as a client certificate, which a NATS cluster's nodes
    present to one another on their routes (``client_auth`` says the caller needs it)."""
    del client_auth  # every certificate trustme issues allows client authentication
    directory.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    if bundle.ca.exists() and bundle.cert.exists() and bundle.key.exists():
        return bundle
    ca = trustme.CA(organization_unit_name="Tessera development CA", path_length=0)
    # within the 398 days browsers accept for a server certificate
    leaf = ca.issue_cert(*hosts, common_name=hosts[0],
                         not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=397))
    ca.cert_pem.write_to_path(str(bundle.ca))
    leaf.cert_chain_pems[0].write_to_path(str(bundle.cert))
    bundle.key.touch(mode=0o600)
    leaf.private_key_pem.write_to_path(str(bundle.key))
    bundle.key.chmod(0o600)
    return bundle
