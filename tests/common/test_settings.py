"""Production refuses to start insecure: each setting that would leave a door open is a
start-up error naming the environment variable that closes it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from services.common.tokens import MfaRule
from services.consent.settings import ConsentSettings
from services.pseudonymiser.settings import PseudonymiserSettings
from services.reidentify.settings import ReidentifySettings

# a production configuration with every door shut (the files need not exist to be judged)
SECURE = {
    "environment": "production",
    "nats_password": "a-real-secret-4f9c",
    "tls_cert_file": "/run/secrets/tls-cert",
    "tls_key_file": "/run/secrets/tls-key",
    "nats_tls_ca_file": "/run/secrets/nats-ca",
    "token_issuer": "https://login.council.test/realms/tessera",
    # on PostgreSQL: a SQLite database in production would need its key as well
    "database_url": "postgresql+asyncpg://svc@db/svc",
}


def test_a_secure_configuration_starts_in_production():
    settings = ConsentSettings(**SECURE)
    assert settings.insecure() == []
    # NATS over TLS may also be asked for by the URL's scheme
    rest = {k: v for k, v in SECURE.items() if k != "nats_tls_ca_file"}
    assert ConsentSettings(**rest, nats_url="tls://nats-1:4222,tls://nats-2:4222").insecure() == []


@pytest.mark.parametrize(("change", "named"), [
    ({"tls_cert_file": None}, "TESSERA_CONSENT_TLS_CERT_FILE"),
    ({"tls_key_file": None}, "TESSERA_CONSENT_TLS_KEY_FILE"),
    ({"nats_tls_ca_file": None}, "TESSERA_CONSENT_NATS_TLS_CA_FILE"),
    ({"token_issuer": "https://issuer.tessera.local/"}, "TESSERA_CONSENT_TOKEN_ISSUER"),
    ({"token_mfa": {"caseworker": MfaRule()}}, "TESSERA_CONSENT_TOKEN_MFA"),
    ({"nats_password": "change-me"}, "nats_password is a placeholder"),
    ({"cors_origins": ["http://console.council.test"]}, "TESSERA_CONSENT_CORS_ORIGINS"),
])
def test_each_insecure_setting_is_refused_by_name(change, named):
    with pytest.raises(ValidationError, match=named):
        ConsentSettings(**{**SECURE, **change})
    # the same configuration is accepted in development, where it is the default
    assert ConsentSettings(**{**SECURE, **change, "environment": "development"})


def test_cors_origins_are_exact_and_written_as_a_browser_sends_them():
    settings = ConsentSettings(cors_origins=[
        "HTTPS://Console.Council.test:443/", "http://127.0.0.1:8006", "http://[::1]:8006",
        "http://127.0.0.1:8006"])
    assert settings.cors_origins == ["https://console.council.test", "http://127.0.0.1:8006",
                                     "http://[::1]:8006"]
    assert ConsentSettings().cors_origins == []
    for loose in ("*", "https://*.council.test", "https://console.council.test/app", "null",
                  "https://user:pw@console.council.test", "https://console.council.test:99999",
                  "ftp://console.council.test", "https://console.council.test/?a=1"):
        with pytest.raises(ValidationError, match="exact origin"):
            ConsentSettings(cors_origins=[loose])


def test_mfa_is_asked_of_every_human_role_unless_configured():
    rules = ConsentSettings(**SECURE).token_mfa
    assert sorted(rules) == ["admin", "analyst", "auditor", "caseworker", "coordinator", "dpo",
                             "linkage-officer"]
    assert "mfa" in rules["caseworker"].amr
    with pytest.raises(ValidationError, match="roles coordinator, analyst, linkage-officer, "
                                              "dpo, auditor, admin"):
        ConsentSettings(**SECURE, token_mfa={"caseworker": {"acr": ["gold"], "amr": []}})


def test_slices_add_their_own_refusals():
    with pytest.raises(ValidationError, match="TESSERA_REIDENTIFY_LOG_PUBLIC_KEY_PATHS"):
        ReidentifySettings(**SECURE)
    assert PseudonymiserSettings(**SECURE).environment == "production"


def test_a_slice_refuses_to_start_and_names_every_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env.update(TESSERA_CONSENT_ENVIRONMENT="production",
               TESSERA_CONSENT_NATS_PASSWORD="a-real-secret-4f9c")
    done = subprocess.run([sys.executable, "-m", "services.consent", "serve"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    for name in ("TESSERA_CONSENT_TLS_CERT_FILE", "TESSERA_CONSENT_NATS_TLS_CA_FILE",
                 "TESSERA_CONSENT_TOKEN_ISSUER", "TESSERA_CONSENT_DATABASE_KEY_FILE"):
        assert name in done.stderr
    assert "a-real-secret" not in done.stderr
