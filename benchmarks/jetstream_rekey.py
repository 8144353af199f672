"""How long `tessera jetstream-rekey` keeps NATS down: the rotation of the local runner's
store (``local``), and of a three-node cluster (``backup`` while it runs, ``node`` for
each stopped node, ``restore`` once they are started again, ``finish``), for a number of
1 KB messages held in the ingest stream (its durable consumers keep every one).

Each count is published into a fresh store (or cluster) made as `tessera run` (or
`tessera nats-config` with TLS) makes it, then rotated once; the times are wall clock.

    .venv/bin/python -m benchmarks.jetstream_rekey [--messages 20000 100000] [--cluster]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

from deploy import keys, natscluster, natsconf, natsrekey, natsrekey_cluster, natsserver, tls
from deploy.cli import main
from deploy.layout import Layout
from services.common import bus, provisioning
from services.common.settings import read_secret_file
from services.common.subjects import PROVISIONER

NODES = ["nats-1", "nats-2", "nats-3"]
SUBJECT = "tessera.ingest.events.d1"


def quiet(argv: list[str]) -> dict:
    """The command, as an operator runs it: its report (to stdout, kept out of ours)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0, argv[:2]
    return json.loads(out.getvalue())


async def publish(nc, messages: int) -> None:
    js = nc.jetstream()
    payload = os.urandom(512).hex().encode()  # 1 KB, incompressible
    window = 64  # publishes in flight, as the outbox relay keeps several
    for i in range(0, messages, window):
        await asyncio.gather(*(js.publish(SUBJECT, payload)
                               for _ in range(min(window, messages - i))))
    await nc.close()


def size_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20


async def local(root: Path, messages: int) -> dict:
    layout = Layout(root)
    keys.ensure_keys(layout)
    passwords = json.loads(layout.nats_passwords.read_text())
    port = natsserver.free_port()
    natsconf.write(layout.nats_conf, port=port, monitor_port=None, store_dir=layout.jetstream,
                   passwords=passwords, jetstream_key=read_secret_file(layout.jetstream_key))
    layout.logs.mkdir(parents=True, exist_ok=True)
    proc = natsserver.start(layout.nats_conf, port, layout.logs / "nats.log")
    try:
        url = f"nats://127.0.0.1:{port}"
        await provisioning.provision(url, passwords[PROVISIONER])
        await publish(await bus.connect(url=url, service="gateway", user="gateway",
                                        password=passwords["gateway"]), messages)
    finally:
        natsserver.stop(proc)
    store = size_mb(layout.jetstream)
    start = time.perf_counter()
    done = await asyncio.to_thread(natsrekey.rotate_standalone, layout.jetstream,
                                   layout.jetstream_key, layout.nats_conf,
                                   layout.logs / "nats-rekey.log")
    return {"messages": done["messages"], "store_mb": round(store, 1),
            "rotation_s": round(time.perf_counter() - start, 2)}


async def cluster(root: Path, messages: int) -> dict:
    secrets_dir = root / "secrets"
    credentials = natscluster.ensure_credentials(secrets_dir)
    bundle = tls.ensure(root / "tls", ("127.0.0.1", "localhost"), client_auth=True)
    client = {n: natsserver.free_port() for n in NODES}
    route = {n: natsserver.free_port() for n in NODES}
    conf = {n: root / f"{n}.conf" for n in NODES}
    store = {n: root / "store" / n for n in NODES}
    for node in NODES:
        natscluster.write_private(conf[node], natscluster.render_node(
            node, NODES, credentials, store_dir=str(store[node]),
            client_port=client[node], cluster_port=route[node], host="127.0.0.1",
            route_hosts={n: f"127.0.0.1:{route[n]}" for n in NODES}, tls=bundle).encode())
    url = ",".join(f"nats://127.0.0.1:{client[n]}" for n in NODES)
    nkey = {s: str(secrets_dir / f"{s}.nk") for s in ("gateway", PROVISIONER)}
    procs = {}

    def start() -> None:
        for node in NODES:
            procs[node] = natsserver.start(conf[node], client[node], root / f"{node}.log")

    def stop() -> None:
        for node in NODES:
            natsserver.stop(procs.pop(node))

    def tool(action: str, *args: str) -> list[str]:
        return ["jetstream-rekey", action, "--secrets", str(secrets_dir), *args]

    network = ("--url", url, "--tls-ca", str(bundle.ca), "--nkey-file", nkey[PROVISIONER])
    times = {}
    start()
    try:
        nc = await bus.connect(url=url, service=PROVISIONER, user="", password="",
                               nkey_file=nkey[PROVISIONER], tls_ca_file=bundle.ca)
        await natsrekey_cluster.formed(nc, time.monotonic() + 120)
        await nc.close()
        await provisioning.provision(url, replicas=3, tls_ca_file=bundle.ca,
                                     nkey_file=nkey[PROVISIONER])
        await publish(await bus.connect(url=url, service="gateway", user="", password="",
                                        nkey_file=nkey["gateway"], tls_ca_file=bundle.ca),
                      messages)
        backup, held_mb = root / "backup", size_mb(store["nats-1"])
        began = time.perf_counter()
        held = await asyncio.to_thread(quiet, [*tool("backup", "--backup", str(backup)),
                                               *network])
        times["backup_s"] = time.perf_counter() - began
        began = time.perf_counter()
        stop()
        for node in NODES:
            await asyncio.to_thread(quiet, [*tool("node"), "--config", str(conf[node]),
                                            "--store-dir", str(store[node])])
        start()
        restored = await asyncio.to_thread(quiet, [*tool("restore", "--backup", str(backup)),
                                                   *network])
        await asyncio.to_thread(quiet, [*tool("finish"), *(
            f"--store-dir={store[n]}" for n in NODES)])
        times["nodes_to_finish_s"] = time.perf_counter() - began
    finally:
        for proc in procs.values():
            natsserver.stop(proc)
    assert held["messages"] == restored["messages"] >= messages
    return {"messages": held["messages"], "store_mb_a_node": round(held_mb, 1),
            **{k: round(v, 2) for k, v in times.items()}}


async def run(args) -> dict:
    out: dict = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
                 "load": os.getloadavg()[0], "local": [], "cluster": []}
    for messages in args.messages:
        with tempfile.TemporaryDirectory(prefix="tessera-rekey-bench-") as tmp:
            out["local"].append(await local(Path(tmp), messages))
        if args.cluster:
            with tempfile.TemporaryDirectory(prefix="tessera-rekey-bench-") as tmp:
                out["cluster"].append(await cluster(Path(tmp), messages))
    return out


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--cluster", action="store_true",
                        help="also rotate a three-node cluster holding as many")
    return parser.parse_args(argv)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(parse())), indent=2))
