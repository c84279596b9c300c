"""Prometheus metrics: the bot's counts (handlers/counters.py) in the text format Prometheus
scrapes, on `/metrics` (handlers/monitoring.py serves it), for Prometheus and for `hrbot stats`
(bot/tools/stats.py).

Nothing is counted twice: a collector reads the counts at scrape time. Every series and every
label value comes from the bot's own fixed sets (count names, update kinds, reading's routes,
content ids of answers and cards, answer areas, the release), so no scrape can carry anything
about a person. Each
process has its own registry (never prometheus-client's global one), so tests and several bots
in one process never mix their numbers; the process's CPU, memory and open files are included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from handlers.counters import NAMES, OFFERS, Counters

PREFIX = "hrbot"


def release() -> str:
    try:
        return version("hrbot")
    except PackageNotFoundError:
        return "unknown"


class CountsCollector(Collector):
    """The counts of one `Counters`, read afresh at every scrape."""

    def __init__(self, counters: Counters, handling: Callable[[], bool]) -> None:
        self.counters = counters
        self.handling = handling

    def collect(self) -> Iterator[Metric]:
        counts = self.counters.snapshot()
        for name, help_text in NAMES.items():
            family = CounterMetricFamily(f"{PREFIX}_{name}", help_text.capitalize())
            family.add_metric([], counts.get(name, 0))
            yield family
        kinds, routes, answers = self.counters.labelled()
        yield _labelled(
            "updates_by_kind", "Updates answered, by kind (text, button, command …)", "kind", kinds
        )
        yield _labelled(
            "messages_by_route",
            "Typed messages by what reading them decided (emergency, crisis, answer, none …)",
            "route",
            routes,
        )
        yield _labelled(
            "answers_by_id", "Replies that showed an answer, by the answer's id", "answer", answers
        )
        for name, (label, help_text) in OFFERS.items():
            yield _labelled(name, help_text, label, self.counters.offers()[name])
        latency = self.counters.latency()
        cumulative, buckets = 0, []
        for bound, count in zip((*latency.buckets, float("inf")), latency.counts, strict=True):
            cumulative += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
        yield HistogramMetricFamily(
            f"{PREFIX}_reply_seconds",
            "Time from an update reaching its handler to its reply sent",
            buckets=buckets,
            sum_value=latency.sum,
        )
        started = GaugeMetricFamily(
            f"{PREFIX}_started_seconds", "When this process began counting (Unix time)"
        )
        started.add_metric([], self.counters.started)
        yield started
        up = GaugeMetricFamily(f"{PREFIX}_handling", "1 while updates are being handled")
        up.add_metric([], 1 if self.handling() else 0)
        yield up
        info = GaugeMetricFamily(f"{PREFIX}_info", "The running release", labels=["version"])
        info.add_metric([release()], 1)
        yield info


def _labelled(name: str, help_text: str, label: str, counts: dict[str, int]) -> Metric:
    family = CounterMetricFamily(f"{PREFIX}_{name}", help_text, labels=[label])
    for value, count in sorted(counts.items()):
        family.add_metric([value], count)
    return family


def registry_for(counters: Counters, handling: Callable[[], bool]) -> CollectorRegistry:
    """A registry of this bot's own: its counts and its process."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(CountsCollector(counters, handling))
    ProcessCollector(registry=registry)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The metrics in Prometheus's text format."""
    return generate_latest(registry)
