"""The Grafana dashboard and the Prometheus scrape examples agree with the code: the
dashboard queries only metrics the services declare and shows each of them, and the
scrape configurations reach every slice under its service label."""

from __future__ import annotations

import json
import re

import yaml

from deploy.federation import REPO
from gateway.metrics import GatewayMetrics
from services.common.metrics import Metrics
from services.common.subjects import SERVICES
from services.pseudonymiser.metrics import PseudonymiserMetrics
from services.reidentify.metrics import ReidentifyMetrics

DASHBOARD = REPO / "deploy" / "grafana" / "tessera.json"
SCRAPES = REPO / "deploy" / "prometheus"


def declared() -> tuple[set[str], set[str]]:
    """Every sample name the services can expose, and every metric family's name."""
    metrics = Metrics("any")
    for part in (GatewayMetrics, ReidentifyMetrics, PseudonymiserMetrics):
        metrics.part(part)
    families = [f for f in metrics.registry.collect() if f.name != "target"]
    names = {f.name for f in families}
    suffixes = ("", "_total", "_bucket", "_count", "_sum", "_created", "_info")
    return {f"{name}{s}" for name in names for s in suffixes}, names


def expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def test_the_dashboard_queries_only_declared_metrics_and_shows_each():
    samples, families = declared()
    used = {name for expr in expressions() for name in re.findall(r"tessera_\w+", expr)}
    assert used and used <= samples, used - samples
    shown = {family for family in families if any(u.startswith(family) for u in used)}
    assert shown == families


def test_the_scrape_examples_reach_every_slice():
    compose = yaml.safe_load((SCRAPES / "compose.yml").read_text())
    groups = compose["scrape_configs"][0]["static_configs"]
    assert {g["labels"]["service"]: g["targets"] for g in groups} == {
        s: [f"{s}:8000"] for s in SERVICES}
    served = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())["services"]
    assert set(SERVICES) <= set(served)
    kube = yaml.safe_load((SCRAPES / "kubernetes.yml").read_text())["scrape_configs"]
    assert {job["job_name"] for job in kube} == {f"tessera-{s}" for s in SERVICES}
    for job in kube:
        service = job["job_name"].removeprefix("tessera-")
        assert job["tls_config"]["server_name"] == f"{service}.tessera.svc"
        assert {"target_label": "service", "replacement": service} in job["relabel_configs"]
