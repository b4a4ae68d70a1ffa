"""Prometheus metrics: requests by route, method and status, latencies, SPARQL queries by outcome.

No client library: a small thread-safe registry that renders the text exposition format 0.0.4
(https://prometheus.io/docs/instrumenting/exposition_formats/). One registry per process, like
prometheus_client's, so domain code can count a query without a handle on the app:
`metrics.record_query("timeout")`. `install_metrics(app)` adds the pure-ASGI request middleware.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from itertools import accumulate
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

Outcome = Literal["ok", "bad_request", "timeout", "error"]
OUTCOMES: tuple[str, ...] = ("ok", "bad_request", "timeout", "error")
ENDPOINTS: tuple[str, ...] = ("sparql", "named")
# Seconds; the SPARQL time limit is tens of seconds, most pages take milliseconds.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
)
UNMATCHED = "<unmatched>"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LabelValues = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gauge:
    """A value read when the metrics are rendered (store size, data version, cache counters, ...)."""

    name: str
    help: str
    value: float
    labels: Mapping[str, str] | None = None
    kind: Literal["gauge", "counter"] = "gauge"  # a counter kept elsewhere (the response cache's hits)


class Histogram:
    """Cumulative buckets, sum and count per label set.

    `observe` counts a value in its one bucket (a bisection: it runs on every request, cached
    answers included); `cumulative` adds them up when the metrics are read."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        # per label set: counts per bucket (values <= its bound and > the previous), then
        # values past the last bound, sum, count
        self.series: dict[LabelValues, list[float]] = {}

    def observe(self, labels: LabelValues, value: float) -> None:
        row = self.series.get(labels)
        if row is None:
            row = self.series[labels] = [0.0] * (len(self.buckets) + 3)
        row[bisect_left(self.buckets, value)] += 1
        row[-2] += value
        row[-1] += 1

    def cumulative(self) -> dict[LabelValues, list[float]]:
        """Return per label set: cumulative counts per bucket, then +Inf, sum and count."""
        return {labels: [*accumulate(row[:-2]), row[-2], row[-1]] for labels, row in self.series.items()}


class Registry:
    """The process's counters and histograms; every method is safe to call from any thread."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: dict[LabelValues, int] = {}
        self.request_seconds = Histogram(buckets)
        self.in_progress = 0
        self.queries: dict[LabelValues, int] = {(e, o): 0 for e in ENDPOINTS for o in OUTCOMES}
        self.query_seconds = Histogram(buckets)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            key = (route, method, str(status))
            self.requests[key] = self.requests.get(key, 0) + 1
            self.request_seconds.observe((route, method), seconds)

    def record_query(self, outcome: Outcome, seconds: float | None = None, endpoint: str = "sparql") -> None:
        """Count one query by outcome; `seconds` adds it to the query-latency histogram."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown query outcome {outcome!r}; one of {OUTCOMES}")
        with self._lock:
            key = (endpoint, outcome)
            self.queries[key] = self.queries.get(key, 0) + 1
            if seconds is not None:
                self.query_seconds.observe((endpoint, outcome), seconds)

    def _enter(self, delta: int) -> None:
        with self._lock:
            self.in_progress += delta

    def render(self, gauges: Iterable[Gauge] = ()) -> str:
        """Return every metric in the Prometheus text exposition format 0.0.4."""
        with self._lock:
            requests = dict(self.requests)
            request_seconds = self.request_seconds.cumulative()
            queries = dict(self.queries)
            query_seconds = self.query_seconds.cumulative()
            in_progress = self.in_progress
        out: list[str] = []
        _family(out, "dxkg_http_requests_total", "counter",
                "HTTP requests by route template, method and status.",
                [(_labels(route=r, method=m, status=s), n) for (r, m, s), n in sorted(requests.items())])
        _histogram(out, "dxkg_http_request_duration_seconds",
                   "HTTP request latency by route template and method.",
                   self.request_seconds.buckets,
                   {_labels(route=r, method=m): row for (r, m), row in sorted(request_seconds.items())})
        _family(out, "dxkg_http_requests_in_progress", "gauge", "HTTP requests being served.",
                [("", in_progress)])
        _family(out, "dxkg_sparql_queries_total", "counter",
                "SPARQL queries by endpoint (sparql: /sparql, named: /queries) and outcome "
                "(ok, bad_request, timeout, error).",
                [(_labels(endpoint=e, outcome=o), n) for (e, o), n in sorted(queries.items())])
        _family(out, "dxkg_sparql_timeouts_total", "counter", "SPARQL queries stopped by the time limit.",
                [(_labels(endpoint=e), n) for (e, o), n in sorted(queries.items()) if o == "timeout"])
        _histogram(out, "dxkg_sparql_query_duration_seconds", "SPARQL query latency by endpoint and outcome.",
                   self.query_seconds.buckets,
                   {_labels(endpoint=e, outcome=o): row for (e, o), row in sorted(query_seconds.items())})
        _family(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.",
                [("", self.started)])
        for gauge in gauges:
            _family(out, gauge.name, gauge.kind, gauge.help, [(_labels(**(gauge.labels or {})), gauge.value)])
        return "".join(out)


REGISTRY = Registry()


def record_query(outcome: Outcome, seconds: float | None = None, endpoint: str = "sparql") -> None:
    """Count one SPARQL query in the process registry (outcomes: ok, bad_request, timeout, error)."""
    REGISTRY.record_query(outcome, seconds, endpoint)


class QueryTimer:
    """Handed out by `query_timer`; `skip()` leaves a request uncounted (a 304 runs no query)."""

    __slots__ = ("skipped",)

    def __init__(self) -> None:
        self.skipped = False

    def skip(self) -> None:
        self.skipped = True


@contextmanager
def query_timer(endpoint: str = "sparql", registry: Registry | None = None) -> Iterator[QueryTimer]:
    """Time the block and count one query: `ok` when it ends normally, else by what it raised."""
    timer = QueryTimer()
    started = time.perf_counter()
    try:
        yield timer
    except BaseException as exc:
        (registry or REGISTRY).record_query(outcome_of(exc), time.perf_counter() - started, endpoint)
        raise
    if not timer.skipped:
        (registry or REGISTRY).record_query("ok", time.perf_counter() - started, endpoint)


def outcome_of(exc: BaseException) -> Outcome:
    """Return the query outcome an exception stands for: timeout, bad_request (4xx) or error."""
    status = getattr(exc, "status", None)
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower() or status == 504:
        return "timeout"
    if isinstance(status, int) and 400 <= status < 500:
        return "bad_request"
    return "error"


def render(gauges: Iterable[Gauge] = ()) -> str:
    """Return the process registry, plus the given gauges, as Prometheus text format 0.0.4."""
    return REGISTRY.render(gauges)


class MetricsMiddleware:
    """Pure ASGI middleware: times each HTTP request and counts it by route template and status.

    The route template (`/id/{path:path}`, not the path asked for) keeps the number of series
    bounded; requests no route matched are counted under `<unmatched>`.
    """

    def __init__(self, app: Any, registry: Registry = REGISTRY) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_note_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.registry._enter(1)
        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            self.registry._enter(-1)
            self.registry.observe_request(route_template(scope), scope.get("method", ""), status,
                                          time.perf_counter() - started)


def route_template(scope: dict[str, Any]) -> str:
    """Return the path template of the route that served a request, or `<unmatched>`."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return str(route.path)
    # Routes that are not FastAPI's own (/openapi.json, mounts) leave only their endpoint behind.
    endpoint = scope.get("endpoint")
    if endpoint is not None:
        for candidate in getattr(scope.get("router"), "routes", ()):
            if getattr(candidate, "endpoint", None) is endpoint:
                return str(candidate.path)
            if getattr(candidate, "app", None) is endpoint:
                return str(candidate.path) + "/{path}"
    return UNMATCHED


def install_metrics(app: Any, registry: Registry = REGISTRY) -> None:
    """Add the request middleware to a Starlette/FastAPI app and keep the registry on app.state."""
    app.state.metrics = registry
    app.add_middleware(MetricsMiddleware, registry=registry)


def _labels(**labels: str) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape_label(str(v))}"' for k, v in labels.items()) + "}"


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 2**53):
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _family(out: list[str], name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}\n# TYPE {name} {kind}\n")
    out.extend(f"{name}{labels} {_number(value)}\n" for labels, value in samples)


def _histogram(out: list[str], name: str, help_text: str, buckets: tuple[float, ...],
               series: dict[str, list[float]]) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}\n# TYPE {name} histogram\n")
    for labels, row in series.items():
        inner = labels[1:-1] + "," if labels else ""
        for bound, count in zip(buckets, row, strict=False):
            out.append(f'{name}_bucket{{{inner}le="{float(bound)!r}"}} {_number(count)}\n')
        out.append(f'{name}_bucket{{{inner}le="+Inf"}} {_number(row[-3])}\n')
        out.append(f"{name}_sum{labels} {_number(row[-2])}\n")
        out.append(f"{name}_count{labels} {_number(row[-1])}\n")
