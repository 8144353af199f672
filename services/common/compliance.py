"""Evidence from a running service (SATRE 5.1.03, 5.5.01): what it runs, how it is
secured, whether its schema is current, when it last swept and verified its log.

``GET /v1/ops/compliance`` (auditor, admin) answers for one service; `tessera
compliance` gathers every service's answer into one report and lists what falls short.
Nothing in it is personal data or a secret: the settings are described, never shown.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import make_url, text

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.state import SliceDep
from services.common.subjects import deadletter_stream
from services.common.tokens import Claims

router = APIRouter(prefix="/v1/ops", tags=["ops"], responses=AUTHENTICATED)
Auditor = Annotated[Claims, Depends(require_roles("auditor", "admin"))]
REPO = Path(__file__).resolve().parents[2]


class Migration(BaseModel):
    current: str | None
    head: str | None
    up_to_date: bool


class SecurityLogState(BaseModel):
    last_verified_at: datetime | None
    valid: bool | None
    failures_since_start: int
    entries: int | None


class Compliance(BaseModel):
    service: str
    version: str
    commit: str
    environment: str
    started_at: datetime
    https: bool
    nats_tls: bool
    token_issuer: str
    token_algorithms: list[str]
    mfa_roles: list[str]
    database: str
    database_encrypted: bool
    migration: Migration
    last_retention_sweep: datetime | None
    security_log: SecurityLogState
    dead_letters: int | None
    production_refusals: list[str]  # what production would refuse in these settings
    # a replica's part where a slice elects a writer among its replicas (its role, the
    # writer it knows of, its last term as the writer); empty elsewhere
    replica: dict[str, Any] = {}


def commit() -> str:
    """The source commit: TESSERA_COMMIT (set when an image is built), else the checkout's."""
    if found := os.environ.get("TESSERA_COMMIT"):
        return found
    try:
        done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def version(service: str) -> str:
    try:
        return metadata.version(f"tessera-{service}")
    except metadata.PackageNotFoundError:
        return "unknown"


def head_of(migrations_dir: Path | None) -> str | None:
    if migrations_dir is None:
        return None
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/compliance", name="get_compliance", response_model=Compliance)
async def compliance(state: SliceDep, _: Auditor) -> Compliance:
    """What this service runs and how it is secured, as evidence for an assessor."""
    rt = state.rt
    s = rt.settings
    async with state.sessionmaker() as session:
        current = (await session.execute(text("SELECT version_num FROM alembic_version")
                                         )).scalar_one_or_none()
    head = head_of(rt.migrations_dir)
    security = rt.security
    verdict = security.last if security else None
    try:
        dead = (await rt.js.stream_info(deadletter_stream(rt.service))).state.messages
    except Exception:  # the stream not there yet: reported as unknown
        dead = None
    return Compliance(
        service=rt.service, version=version(rt.service), commit=commit(),
        environment=s.environment, started_at=rt.started_at,
        https=s.https, nats_tls=s.nats_tls,
        token_issuer=s.token_issuer, token_algorithms=list(s.token_algorithms),
        mfa_roles=sorted(s.token_mfa), database=make_url(s.database_url).get_backend_name(),
        database_encrypted=s.database_key_file is not None,
        migration=Migration(current=current, head=head,
                            up_to_date=head is not None and current == head),
        last_retention_sweep=rt.last_run.get("retention"),
        security_log=SecurityLogState(
            last_verified_at=verdict.at if verdict else None,
            valid=verdict.valid if verdict else None,
            failures_since_start=security.failures if security else 0,
            entries=verdict.entries if verdict else None),
        dead_letters=dead, production_refusals=s.insecure(), replica=state.evidence())
