"""The live registry: partners, their datasets and each dataset's codes.

Created, changed and retired through ``/v1/registry`` (``registry_api.py``) and
``tessera registry``, or seeded from ``registry.yaml``; every change is a row of
``registry_changes`` (who, when, before and after), whose highest seq is the registry's
revision. Uploads read the registry at each request, so a change applies to the next
upload without a restart. A dataset's codes reach the scorer as its ``CodeCatalogue``
(category and headline, never the meaning) before the change is committed: if the bus
does not take it, nothing changes.

Retiring keeps the row: a retired partner or dataset accepts no uploads and a retired
code is refused in new events, while what was sent before stays under its agreement
and keeps its category. A code's category or headline may change once data exists: the
scorer then re-scores every profile (``services/scorer/handlers.py``), because a category
that was wrong must stop deciding who is flagged; a dataset's partner and level may not,
since the records already linked were linked as that partner's and at that level.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import repository
from gateway.agreements import Registry as Agreements
from gateway.models import Code, Dataset, Partner, RegistryChange
from gateway.schemas import ID, DatasetFields, PartnerFields
from services.common import bus, subjects
from services.common import messages as m
from services.common.clock import today
from services.common.problems import Problem

log = logging.getLogger("tessera.gateway")

FILE = "registry.yaml"  # the actor of changes the seed file makes
PARTNER_FIELDS = ("name", "retired_on")
DATASET_FIELDS = ("partner", "kind", "level", "one_record_per_person", "agreement",
                  "retired_on")
CODE_FIELDS = ("category", "headline", "meaning", "retired_on")


def _fields(obj: Any, names: tuple[str, ...]) -> dict:
    return {n: (v.isoformat() if isinstance(v, date) else v)
            for n in names if (v := getattr(obj, n)) is not None or n != "retired_on"}


def catalogue(ds: Dataset, codes: list[Code]) -> m.CodeCatalogue:
    """A dataset's categories for the scorer; retired codes too (held events keep theirs)."""
    return m.CodeCatalogue(dataset=ds.id, partner=ds.partner, codes=[
        m.CodeCategory(code=c.code, category=c.category, headline=c.headline)
        for c in sorted(codes, key=lambda c: c.code)])


async def describe(session: AsyncSession, datasets: list[Dataset]) -> list[dict]:
    """Datasets with their codes (retired ones too), as the API shows them."""
    codes = await repository.codes_of(session, [d.id for d in datasets], retired=True)
    return [{"id": d.id, "kind": d.kind, "level": d.level, "agreement": d.agreement,
             "one_record_per_person": bool(d.one_record_per_person),
             "retired_on": d.retired_on,
             "codes": [{"code": c.code, "category": c.category, "headline": c.headline,
                        "meaning": c.meaning, "retired_on": c.retired_on}
                       for c in codes[d.id]]} for d in datasets]


def catalogue_msg_id(c: m.CodeCatalogue, revision: int) -> str:
    """The same content at the same revision is one message (a restart's republish is
    de-duplicated); a later revision is a new one even when it restores earlier content."""
    return f"codes-r{revision}-" + hashlib.sha256(bus.encode(c)).hexdigest()[:32]


def read_registry(path: Path) -> dict[str, list[dict]]:
    """The seed file as rows, each partner and dataset checked by the models the API
    uses (``gateway.schemas``); an invalid file stops the start with the entry named."""
    doc = yaml.safe_load(Path(path).read_text()) or {}
    agreements = [{
        "id": str(a["id"]), "legal_basis": a.get("legal_basis"),
        "purposes": " ".join(a.get("purposes") or []), "retention": a.get("retention"),
        "valid_from": _day(a.get("valid_from")), "valid_to": _day(a.get("valid_to")),
    } for a in doc.get("agreements") or []]
    partners, datasets, codes = [], [], []
    for p in doc.get("partners") or []:
        fields = _valid(PartnerFields, {"name": p.get("name") or p.get("id")},
                        f"partner {p.get('id')}")
        partners.append({"id": _valid_id(p.get("id"), "partner"), "name": fields.name})
    for d in doc.get("datasets") or []:
        dataset_id = _valid_id(d.get("id"), "dataset")
        fields = _valid(DatasetFields, {k: v for k, v in d.items() if k != "id"},
                        f"dataset {dataset_id}")
        datasets.append({"id": dataset_id, **fields.model_dump(exclude={"codes"})})
        codes.extend({"dataset": dataset_id, "code": code, **spec.model_dump()}
                     for code, spec in fields.codes.items())
    return {"agreements": agreements, "partners": partners, "datasets": datasets,
            "codes": codes}


def _valid(model: type[BaseModel], data: dict, where: str):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(p) for p in error["loc"])
        raise ValueError(f"registry file, {where}: field '{path}': {error['msg']}") from None


def _valid_id(value: Any, kind: str) -> str:
    if not isinstance(value, str) or re.match(ID, value) is None:
        raise ValueError(f"registry file: a {kind} id must match {ID}")
    return value


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class Changes:
    """The change rows of one unit of work, all with the same actor."""

    def __init__(self, session: AsyncSession, actor: str):
        self.session = session
        self.actor = actor
        self.count = 0

    def record(self, entity: str, key: str, action: str, before: dict | None,
               after: dict | None) -> None:
        if action == "changed" and before == after:
            return
        self.session.add(RegistryChange(actor=self.actor, entity=entity, key=key,
                                        action=action, before=before, after=after))
        self.count += 1

    def set(self, entity: str, key: str, obj: Any, names: tuple[str, ...],
            values: dict) -> None:
        """Apply `values` to an existing row and record what changed."""
        before = _fields(obj, names)
        for name, value in values.items():
            setattr(obj, name, value)
        after = _fields(obj, names)
        action = "retired" if after.get("retired_on") and not before.get("retired_on") else (
            "changed")
        self.record(entity, key, action, before, after)


class PartnerRegistry:
    """Registry changes: the caller's unit of work commits them after the catalogues
    of the changed datasets are on the bus."""

    def __init__(self, bus_: bus.Bus, agreements: Agreements, timeout_s: float = 10.0):
        self.bus = bus_
        self.agreements = agreements
        self.timeout_s = timeout_s

    # --- seeding from registry.yaml ------------------------------------------------------

    async def seed(self, session: AsyncSession, doc: dict[str, list[dict]]) -> int:
        """Keep the file-managed partners and datasets in step with the file; returns how
        many changes that made. What the API changed the file no longer overrides."""
        changes = Changes(session, FILE)
        await repository.seed_agreements(session, doc["agreements"])
        partners = await repository.partners_by_id(session)
        for row in doc["partners"]:
            p = partners.get(row["id"])
            if p is None:
                session.add(Partner(id=row["id"], name=row["name"], managed_by="file"))
                changes.record("partner", row["id"], "created", None, {"name": row["name"]})
            elif p.managed_by == "file":
                changes.set("partner", p.id, p, PARTNER_FIELDS, {"name": row["name"]})
        await session.flush()
        held = await repository.datasets_by_id(session, [d["id"] for d in doc["datasets"]])
        api_agreements = await repository.api_agreements(session)
        for row in doc["datasets"]:
            ds = held.get(row["id"])
            if ds is not None and ds.managed_by != "file":
                continue
            values = {k: row[k] for k in ("partner", "kind", "level", "one_record_per_person",
                                          "agreement")}
            if ds is not None and (ds.agreement in api_agreements
                                   or values["agreement"] in api_agreements):
                values["agreement"] = ds.agreement  # the agreements API decides that link
            codes = {c["code"]: c for c in doc["codes"] if c["dataset"] == row["id"]}
            await self._apply_dataset(session, changes, row["id"], ds, values, codes,
                                      managed_by="file", retire_missing=False)
        await session.flush()
        if changes.count:
            log.info("registry seeded from %s: %d changes", FILE, changes.count)
        return changes.count

    async def catalogues(self, session: AsyncSession) -> list[m.CodeCatalogue]:
        datasets = await repository.datasets_of(session)
        codes = await repository.codes_of(session, [d.id for d in datasets], retired=True)
        return [catalogue(d, codes[d.id]) for d in datasets]

    async def publish(self, session: AsyncSession, items: list[m.CodeCatalogue]) -> None:
        revision = await repository.registry_revision(session)
        for c in items:
            await self.bus.publish(subjects.CODES, c, msg_id=catalogue_msg_id(c, revision),
                                   timeout=self.timeout_s)
        if items:
            log.info("published %d code catalogues (registry revision %d)", len(items),
                     revision)

    async def _announce(self, session: AsyncSession, dataset_ids: list[str]) -> None:
        """Flush, then put the changed datasets' catalogues on the bus (or refuse all)."""
        await session.flush()
        datasets = await repository.datasets_by_id(session, dataset_ids)
        codes = await repository.codes_of(session, list(datasets), retired=True)
        try:
            await self.publish(session, [catalogue(d, codes[d.id]) for d in datasets.values()])
        except Exception as exc:
            log.warning("registry change not published (%s); not recorded",
                        type(exc).__name__)
            raise Problem(503, "Service unavailable",
                          "the message bus did not accept the change; retry",
                          headers={"Retry-After": "5"}) from None

    # --- partners -------------------------------------------------------------------------

    async def put_partner(self, session: AsyncSession, partner_id: str, name: str,
                          actor: str) -> tuple[Partner, bool]:
        changes = Changes(session, actor)
        p = await repository.partner(session, partner_id)
        if p is not None and p.retired_on is not None:
            raise Problem(409, "Conflict", "the partner is retired; register a new one")
        created = p is None
        if p is None:
            p = Partner(id=partner_id, name=name, managed_by="api")
            session.add(p)
            changes.record("partner", partner_id, "created", None, {"name": name})
        else:
            changes.set("partner", partner_id, p, PARTNER_FIELDS,
                        {"name": name, "managed_by": "api"})
        await session.flush()
        return p, created

    async def retire_partner(self, session: AsyncSession, partner_id: str, on: date,
                             actor: str) -> Partner:
        p = await repository.partner(session, partner_id)
        if p is None:
            raise Problem(404, "Not found", "no such partner")
        changes = Changes(session, actor)
        retired = []
        if p.retired_on is None:
            changes.set("partner", p.id, p, PARTNER_FIELDS, {"retired_on": on,
                                                             "managed_by": "api"})
            for ds in await repository.datasets_of(session, p.id):
                if ds.retired_on is None:
                    changes.set("dataset", ds.id, ds, DATASET_FIELDS,
                                {"retired_on": on, "managed_by": "api"})
                    retired.append(ds.id)
            await session.flush()
            log.info("partner %s retired with %d datasets", p.id, len(retired))
        return p

    # --- datasets and their codes --------------------------------------------------------

    async def put_dataset(self, session: AsyncSession, dataset_id: str, body,
                          actor: str) -> tuple[Dataset, bool]:
        """Create or replace a dataset with its codes (codes it no longer lists are
        retired); returns it and whether it was created."""
        ds = await repository.dataset_row(session, dataset_id)
        if ds is not None and ds.retired_on is not None:
            raise Problem(409, "Conflict", "the dataset is retired; register a new one")
        partner = await repository.partner(session, body.partner)
        if partner is None:
            raise Problem(422, "Request is not valid", "field 'partner': no such partner")
        if partner.retired_on is not None:
            raise Problem(422, "Request is not valid", "field 'partner': the partner is retired")
        if body.level == "property" and body.one_record_per_person:
            raise Problem(422, "Request is not valid", "field 'one_record_per_person': a "
                          "property-level dataset holds no persons")
        if ds is not None and (ds.partner, ds.level) != (body.partner, body.level):
            batches, _ = await repository.receipts_of(session, [dataset_id])
            if batches:
                field = "partner" if ds.partner != body.partner else "level"
                raise Problem(409, "Conflict", f"field '{field}': the dataset holds data "
                              f"sent as its {field}; register a new dataset")
        await self._check_agreement(session, body.agreement, body.partner)
        changes = Changes(session, actor)
        values = {"partner": body.partner, "kind": body.kind, "level": body.level,
                  "one_record_per_person": body.one_record_per_person,
                  "agreement": body.agreement}
        codes = {code: {"code": code, "category": spec.category, "headline": spec.headline,
                        "meaning": spec.meaning} for code, spec in body.codes.items()}
        before_agreement = ds.agreement if ds is not None else None
        ds, created = await self._apply_dataset(session, changes, dataset_id, ds, values,
                                                codes, managed_by="api", retire_missing=True)
        await self._announce(session, [dataset_id])
        if before_agreement != body.agreement:  # the agreements' dataset lists changed
            await self.agreements.revise(session, {a for a in (before_agreement,
                                                               body.agreement) if a}, actor)
        log.info("dataset %s stored (%d codes, %d changes)", dataset_id, len(codes),
                 changes.count)
        return ds, created

    async def retire_dataset(self, session: AsyncSession, dataset_id: str, on: date,
                             actor: str) -> Dataset:
        ds = await repository.dataset_row(session, dataset_id)
        if ds is None:
            raise Problem(404, "Not found", "no such dataset")
        if ds.retired_on is None:
            Changes(session, actor).set("dataset", ds.id, ds, DATASET_FIELDS,
                                        {"retired_on": on, "managed_by": "api"})
            await session.flush()
            log.info("dataset %s retired", ds.id)
        return ds

    async def _check_agreement(self, session: AsyncSession, agreement_id: str | None,
                               partner: str) -> None:
        if agreement_id is None:
            return
        agreement = await repository.agreement(session, agreement_id)
        if agreement is None:
            raise Problem(422, "Request is not valid", "field 'agreement': no such agreement")
        if agreement.ended_on is not None:
            raise Problem(422, "Request is not valid", "field 'agreement': the agreement "
                          "has ended")
        if agreement.partner is not None and agreement.partner != partner:
            raise Problem(422, "Request is not valid", "field 'agreement': the agreement "
                          "is another partner's")

    async def _apply_dataset(self, session: AsyncSession, changes: Changes, dataset_id: str,
                             ds: Dataset | None, values: dict, codes: dict[str, dict], *,
                             managed_by: str, retire_missing: bool) -> tuple[Dataset, bool]:
        """Create or update a dataset and its codes; with `retire_missing`, held codes
        absent from `codes` are retired (the seed file only adds and changes codes)."""
        created = ds is None
        if ds is None:
            ds = Dataset(id=dataset_id, managed_by=managed_by, **values)
            session.add(ds)
            changes.record("dataset", dataset_id, "created", None,
                           _fields(ds, DATASET_FIELDS))
        else:
            changes.set("dataset", dataset_id, ds, DATASET_FIELDS,
                        {**values, "managed_by": managed_by})
        held = {c.code: c for c in (await repository.codes_of(
            session, [dataset_id], retired=True))[dataset_id]}
        for code, spec in sorted(codes.items()):
            values_ = {"category": spec["category"], "headline": spec.get("headline"),
                       "meaning": spec.get("meaning"), "retired_on": None}
            key = f"{dataset_id}/{code}"
            row = held.get(code)
            if row is None:
                row = Code(dataset=dataset_id, code=code, **values_)
                session.add(row)
                changes.record("code", key, "created", None, _fields(row, CODE_FIELDS))
            else:
                changes.set("code", key, row, CODE_FIELDS, values_)
        for code, row in held.items():
            if retire_missing and code not in codes and row.retired_on is None:
                changes.set("code", f"{dataset_id}/{code}", row, CODE_FIELDS,
                            {"retired_on": today()})
        return ds, created
