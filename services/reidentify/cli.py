"""`python -m services.reidentify verify-log`: the chain, the signed heads in both copies,
and the pseudonymiser's releases, checked as the API's /v1/access-log/verify does."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from services.common import bus
from services.common.commands import Command
from services.common.db import build_engine, build_sessionmaker
from services.common.heads import trusted_keys
from services.common.trust import Keyring
from services.reidentify import audit, signing
from services.reidentify.settings import ReidentifySettings


def _trusted(settings: ReidentifySettings, public_keys: list[Path]) -> dict:
    """The keys given, else the settings' pinned keys, else (development) the signer's."""
    if public_keys or settings.log_public_key_paths:
        return trusted_keys(public_keys or settings.log_public_key_paths)
    own = signing.log_signer(settings.log_signing_key_path, settings.log_signing_command,
                             settings.log_signing_public_key_path, settings.environment,
                             settings.private_key_passphrase_file, create=False)
    return trusted_keys([], own)


async def verify_log(settings: ReidentifySettings, heads_path: Path, public_keys: list[Path],
                     other_heads: Path | None = None) -> dict:
    trusted = _trusted(settings, public_keys)
    nc = await bus.connect(url=settings.nats_url, service=settings.service_name,
                           user=settings.nats_user,
                           password=settings.nats_password.get_secret_value(),
                           tls_ca_file=settings.nats_tls_ca_file,
                           nkey_file=settings.nats_nkey_file)
    engine = build_engine(settings.database_url, key=settings.database_key())
    try:
        messages = bus.Bus(nc, settings.service_name, Keyring.load(
            settings.service_name, settings.bus_key_path, settings.bus_trust_path,
            settings.private_key_passphrase_file, refuse_plain=settings.refuse_plain_keys))
        witnesses = audit.Witnesses(messages, heads_path, trusted,
                                    audit.signing_grace(settings), other_heads)
        async with build_sessionmaker(engine)() as session:
            return await audit.verify(session, await witnesses.evidence())
    finally:
        await engine.dispose()
        await nc.close()


def verify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--heads", type=Path, default=None,
                        help="the local signed-heads export (JSON lines); default: the "
                        "settings' signed_heads_path")
    parser.add_argument("--public-key", type=Path, action="append", default=[],
                        help="a trusted log-signing public key (PEM; repeatable); default: "
                        "the settings' log_public_key_paths")
    parser.add_argument("--other-heads", type=Path,
                        help="compare with this copy of the heads (exported from the "
                        "gateway or a write-once store) instead of asking the gateway")


def verify(args: argparse.Namespace, settings: ReidentifySettings, out=print) -> int:
    """Prints the verification as JSON; exit status 0 when valid, 1 when not."""
    result = asyncio.run(verify_log(settings, args.heads or settings.signed_heads_path,
                                    args.public_key, args.other_heads))
    out(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["valid"] else 1


COMMANDS = {
    "verify-log": Command(
        help="check the access log's chain, its signed heads in both copies and the "
             "pseudonymiser's releases (exit status 1 when not valid)",
        run=verify, options=verify_options),
}
