"""`python -m services.reidentify verify-log`: recompute the chain and check the signed heads."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from services.common.db import build_engine, build_sessionmaker
from services.reidentify import audit, signing
from services.reidentify.settings import ReidentifySettings


async def verify_log(settings: ReidentifySettings, heads_path: Path,
                     public_key_path: Path) -> dict:
    engine = build_engine(settings.database_url)
    try:
        async with build_sessionmaker(engine)() as session:
            return await audit.verify_with_heads(session, heads_path, public_key_path)
    finally:
        await engine.dispose()


def main(argv: list[str], settings: ReidentifySettings | None = None,
         out=print) -> int:
    """Prints the verification as JSON; exit status 0 when valid, 1 when not."""
    settings = settings or ReidentifySettings()
    parser = argparse.ArgumentParser(prog="python -m services.reidentify verify-log")
    parser.add_argument("--heads", type=Path, default=settings.signed_heads_path,
                        help="the signed-heads export (JSON lines)")
    parser.add_argument("--public-key", type=Path,
                        default=signing.public_key_path(settings.log_signing_key_path),
                        help="the log-signing public key (PEM)")
    args = parser.parse_args(argv)
    result = asyncio.run(verify_log(settings, args.heads, args.public_key))
    out(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["valid"] else 1
