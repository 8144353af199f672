"""The development CA: written once and kept across restarts, and its certificate is
accepted by a TLS client trusting the CA, for every host named, both as a server's and as
a client's (a NATS cluster's routes)."""

from __future__ import annotations

import socket
import ssl
import threading

from deploy import tls


def test_the_bundle_is_made_once_and_kept(tmp_path):
    first = tls.ensure(tmp_path)
    written = {p: p.read_bytes() for p in (first.ca, first.cert, first.key)}
    assert oct(first.key.stat().st_mode & 0o777) == "0o600"
    again = tls.ensure(tmp_path)
    assert again == first
    assert {p: p.read_bytes() for p in (again.ca, again.cert, again.key)} == written


def _handshake(bundle: tls.Bundle, host: str) -> str:
    """One mutual-TLS handshake on loopback: the server asks for the client's certificate."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(bundle.cert, bundle.key)
    server.load_verify_locations(bundle.ca)
    server.verify_mode = ssl.CERT_REQUIRED
    client = ssl.create_default_context(cafile=str(bundle.ca))
    client.load_cert_chain(bundle.cert, bundle.key)
    peer: list[dict] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def accept() -> None:
            conn, _ = listener.accept()
            try:
                with server.wrap_socket(conn, server_side=True) as s:
                    peer.append(s.getpeercert())
            except ssl.SSLError:
                conn.close()  # the client refused the server's certificate

        thread = threading.Thread(target=accept)
        thread.start()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                client.wrap_socket(raw, server_hostname=host) as s:
            version = s.version()
        thread.join(timeout=10)
    assert peer and peer[0]["subject"]
    return version


def test_the_certificate_serves_every_host_as_server_and_client(tmp_path):
    bundle = tls.ensure(tmp_path, ("127.0.0.1", "localhost", "nats-1"), client_auth=True)
    for host in ("127.0.0.1", "localhost", "nats-1"):
        assert _handshake(bundle, host).startswith("TLS")


def test_another_host_is_refused(tmp_path):
    bundle = tls.ensure(tmp_path)
    try:
        _handshake(bundle, "elsewhere.test")
    except ssl.SSLCertVerificationError as exc:
        assert "elsewhere.test" in str(exc) or "match" in str(exc)
    else:
        raise AssertionError("a certificate for another host was accepted")
