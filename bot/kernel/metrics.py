"""Prometheus metrics of one process: updates handled, handler latency, outbox depth and
sends by result, served at /metrics (with /healthz) on the webhook server, or on
`[monitoring] listen_port` for processes without one (`bot.monitoring`).

One registry per process, made by the app factory and handed to the middleware and the
senders, so tests and several dispatchers in one process never share counters.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "libbot_updates_handled",
            "Updates handled, by messenger and kind",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "libbot_handler_seconds",
            "Time from an update's arrival to the end of its handling",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sends = Counter(
            "libbot_sends",
            "Outbox messages by messenger and result",
            ["platform", "result"],
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "libbot_outbox_depth",
            "Outbox messages waiting to be sent, by messenger",
            ["platform"],
            registry=self.registry,
        )

    def sent(self, platform: str, result: str, count: int = 1) -> None:
        self.sends.labels(platform=platform, result=result).inc(count)

    def outbox_waiting(self, depth: dict[str, int]) -> None:
        """Messages waiting per messenger, as the database counted them when scraped."""
        for platform in set(depth) | {"telegram", "vk", "max"}:
            self.outbox_depth.labels(platform=platform).set(depth.get(platform, 0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
