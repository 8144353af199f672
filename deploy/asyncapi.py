"""Write docs/asyncapi.yaml and docs/messages.md from the declarations of the bus.

Every channel of ``services.common.subjects`` becomes an AsyncAPI 3.0 channel with the
pydantic schema of its messages (``services.common.messages``), one ``send`` and one
``receive`` operation tagged with the services that do it, and, for request-reply, the
reply the asker receives on its own inbox. docs/messages.md is the same map as a table.
Neither file is edited by hand; the test suite fails when either differs from what this
writes.

    python -m deploy.asyncapi            # or: make asyncapi
    python -m deploy.asyncapi --check    # say whether both files are current
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.common import subjects
from services.common.subjects import Channel

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "docs" / "asyncapi.yaml"
TABLE = REPO / "docs" / "messages.md"
VERSION = "0.1.0"
SCHEMAS = "#/components/schemas/{model}"

KINDS = {
    "stream": "JetStream stream, one durable consumer per consuming service",
    "broadcast": "JetStream stream every consuming process reads whole, then follows",
    "request": "core NATS request-reply; the reply goes to the asker's inbox",
    "notice": "core NATS publish-subscribe, kept nowhere",
}


def _address(channel: Channel) -> str:
    """A per-dataset subject's last token as an AsyncAPI parameter."""
    return channel.for_dataset("{dataset}") if channel.subject.endswith(".*") \
        else channel.subject


def _models(channels: tuple[Channel, ...]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for c in channels:
        for model in (c.schema, c.reply_schema):
            if model is not None:
                seen.setdefault(model.__name__, model)
    return list(seen.values())


def _message(model: type[BaseModel]) -> dict:
    doc = (model.__doc__ or "").strip()
    return {"name": model.__name__, "title": model.__name__,
            **({"summary": " ".join(doc.split())} if doc else {}),
            "contentType": "application/json",
            "payload": {"$ref": SCHEMAS.format(model=model.__name__)}}


def _channel(c: Channel) -> dict:
    out: dict = {"address": _address(c), "title": c.name, "description": c.description,
                 "messages": {c.schema.__name__: {
                     "$ref": f"#/components/messages/{c.schema.__name__}"}}}
    if c.subject.endswith(".*"):
        out["parameters"] = {"dataset": {
            "description": "The dataset the batch belongs to (one subject per dataset)."}}
    out["x-tessera-kind"] = c.kind
    if c.stream:
        out["x-tessera-stream"] = {"name": c.stream, "retention": c.retention,
                                   "max_age_s": c.max_age_s, "deny_delete": c.deny_delete}
    return out


def _operations(c: Channel) -> dict:
    message = [{"$ref": f"#/channels/{c.name}/messages/{c.schema.__name__}"}]
    ref = {"$ref": f"#/channels/{c.name}"}
    send: dict = {"action": "send", "channel": ref, "title": f"Publish {c.name}",
                  "summary": "Published by " + ", ".join(c.publishers) + ".",
                  "tags": [{"name": s} for s in c.publishers], "messages": message}
    receive: dict = {"action": "receive", "channel": ref, "title": f"Receive {c.name}",
                     "summary": "Received by " + ", ".join(c.consumers) + ".",
                     "tags": [{"name": s} for s in c.consumers], "messages": message}
    if c.reply_schema is not None:
        reply = {"channel": {"$ref": f"#/channels/{c.name}_reply"},
                 "messages": [{"$ref": f"#/channels/{c.name}_reply/messages/"
                                       f"{c.reply_schema.__name__}"}]}
        send["reply"] = receive["reply"] = reply
    return {f"{c.name}.send": send, f"{c.name}.receive": receive}


def document(channels: tuple[Channel, ...] = subjects.CHANNELS) -> dict:
    """The AsyncAPI 3.0 document of every channel."""
    models = _models(channels)
    _, schemas = models_json_schema([(m, "validation") for m in models],
                                    ref_template=SCHEMAS)
    out_channels: dict = {}
    operations: dict = {}
    for c in channels:
        out_channels[c.name] = _channel(c)
        if c.reply_schema is not None:
            out_channels[f"{c.name}_reply"] = {
                "address": None, "title": f"{c.name} reply",
                "description": "The asker's own inbox (_INBOX.<service>.>), which no other "
                "service may read.",
                "messages": {c.reply_schema.__name__: {
                    "$ref": f"#/components/messages/{c.reply_schema.__name__}"}}}
        operations.update(_operations(c))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Tessera bus",
            "version": VERSION,
            "description": "Every NATS subject the services use, who publishes and who "
            "consumes it, and the schema of its messages. Every message is authenticated "
            "by its sender (docs/security.md); a consumer applies only messages from a "
            "service the channel names as a publisher.",
            "tags": [{"name": s} for s in subjects.SERVICES],
        },
        "defaultContentType": "application/json",
        "servers": {"nats": {
            "host": "localhost:4222", "protocol": "nats",
            "description": "The federation's NATS server (JetStream on); each service has "
            "its own user, allowed only the subjects below (deploy/natsconf.py)."}},
        "channels": out_channels,
        "operations": operations,
        "components": {"messages": {m.__name__: _message(m) for m in models},
                       "schemas": schemas["$defs"]},
    }


def render_spec(spec: dict) -> str:
    header = "# Generated by `make asyncapi` (deploy/asyncapi.py) from services/common; do " \
             "not edit.\n"
    return header + yaml.safe_dump(json.loads(json.dumps(spec)), sort_keys=False,
                                   allow_unicode=True, width=100)


def render_table(channels: tuple[Channel, ...] = subjects.CHANNELS) -> str:
    lines = [
        "# Messages",
        "",
        "<!-- Generated by `make asyncapi` (deploy/asyncapi.py) from "
        "services/common/subjects.py; do not edit. -->",
        "",
        "Every NATS subject of the federation, as `services/common/subjects.py` declares "
        "it: the schema of its messages (`services/common/messages.py`), who publishes and "
        "who consumes it. The same map as an AsyncAPI 3.0 document, with every message's "
        "JSON Schema: [asyncapi.yaml](asyncapi.yaml). How the bus works: "
        "[architecture.md](architecture.md#messaging).",
        "",
        "| subject | channel | kind | stream | message | reply | publishers | consumers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in channels:
        reply = f"`{c.reply_schema.__name__}`" if c.reply_schema else ""
        lines.append(
            f"| `{c.subject}` | {c.name} | {c.kind} | {c.stream or ''} | "
            f"`{c.schema.__name__}` | {reply} | {', '.join(c.publishers)} | "
            f"{', '.join(c.consumers)} |")
    lines += ["", "## Kinds", "", "| kind | what it is |", "|---|---|"]
    lines += [f"| {kind} | {text} |" for kind, text in KINDS.items()]
    lines += ["", "## What each channel carries", ""]
    lines += [f"- **{c.name}** (`{c.subject}`): {c.description}" for c in channels]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    return {SPEC: render_spec(document()), TABLE: render_table()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.asyncapi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="say whether both files are current; write nothing")
    args = parser.parse_args(argv)
    stale = [p for p, text in outputs().items()
             if not p.exists() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(REPO)} differs from services/common")
        return 1 if stale else 0
    for p, text in outputs().items():
        p.write_text(text)
        print(f"wrote {p.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
