"""Reidentify's own metrics (services.common.metrics declares what every service has)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class ReidentifyMetrics:
    def __init__(self, registry: CollectorRegistry):
        self.unlocks = Counter(
            "tessera_reidentify_unlocks",
            "Unlocks and partner lookups, by what became of them: released, refused (with "
            "the reason the caller is told) or error.",
            ["action", "outcome", "reason"], registry=registry)
