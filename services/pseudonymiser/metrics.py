"""The pseudonymiser's own metrics (services.common.metrics declares what every service
has)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, Info

# a linkage call takes from milliseconds (a few records) to minutes (a borough's first load)
LINKAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class PseudonymiserMetrics:
    def __init__(self, registry: CollectorRegistry):
        self.linkage = Histogram(
            "tessera_pseudonymiser_linkage_seconds",
            "Time of one linkage call (scoring a group's new records against those held, "
            "and linking them), by purpose: data or optout.",
            ["purpose"], buckets=LINKAGE_BUCKETS, registry=registry)
        self.model = Info(
            "tessera_pseudonymiser_linkage_model",
            "The linkage model records are linked with (its version: a digest of its "
            "parameters).", registry=registry)

    def model_in_use(self, version: str) -> None:
        self.model.info({"version": version})
