"""The admin commands against a deployment: each service's address from --url, and the
caller's own token from --token or --token-file instead of a minted development one."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from deploy.admin import services_for
from deploy.cli.context import Connection


@pytest.fixture
def service():
    """A real HTTP server standing in for a slice: it answers with what it was sent."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            seen.append((self.path, self.headers.get("Authorization")))
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def minted(*args, **kwargs):
    raise AssertionError("no development token may be minted when one is given")


def test_a_given_token_and_url_are_used_for_the_call(service, tmp_path):
    url, seen = service
    token_file = tmp_path / "token"
    token_file.write_text("eyJ.from-the-idp.sig\n")
    conn = Connection(url=[f"gateway={url}/"], token_file=token_file)
    api = services_for(conn, minted, ("admin",), "ops")
    assert api.call("GET", "gateway", "/v1/registry") == {"ok": True}
    assert seen == [("/v1/registry", "Bearer eyJ.from-the-idp.sig")]


def test_a_url_must_name_a_service_and_a_scheme():
    for bad in ("nowhere=https://x", "gateway=x.example"):
        with pytest.raises(ValueError, match="--url takes SERVICE=URL"):
            services_for(Connection(url=[bad], token="t"), minted, ("admin",), "ops")
