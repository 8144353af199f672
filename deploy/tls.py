"""A development certificate authority and server certificates for TLS on NATS and HTTP.

Production deployments mount certificates from the council's own CA; the paths are
the same settings either way (TESSERA_<SERVICE>_TLS_* and TESSERA_<SERVICE>_NATS_TLS_*).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Bundle:
    ca: Path
    cert: Path
    key: Path


def _write_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def ensure(directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), *,
           client_auth: bool = False) -> Bundle:
    """Create (once) a CA and one server certificate valid for ``hosts``; with
    ``client_auth`` it also serves as a client certificate (a NATS cluster's nodes
    present it to one another on their routes)."""
    directory.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    if bundle.ca.exists() and bundle.cert.exists() and bundle.key.exists():
        return bundle
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tessera development CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=825))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=397))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage(
                [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
                 *([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH] if client_auth else [])]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    bundle.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    bundle.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(bundle.key, key)
    return bundle
