"""The gateway's own metrics (services.common.metrics declares what every service has)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry):
        self.rows = Counter(
            "tessera_gateway_rows",
            "Rows of partners' uploads, by dataset, kind and outcome: accepted (published "
            "to the slices) or rejected (named in the answer's problems).",
            ["dataset", "kind", "outcome"], registry=registry)

    def upload(self, dataset: str, kind: str, accepted: int, rejected: int) -> None:
        self.rows.labels(dataset, kind, "accepted").inc(accepted)
        self.rows.labels(dataset, kind, "rejected").inc(rejected)
