"""``GET /metrics``: the service's figures in Prometheus's text format, for the operators' monitoring.

* requests and their latency per route (the route's template, ``/api/v1/units/{unit_id}``, never
  a raw path: the number of series stays bounded), answers with status 5xx, failed logins (the
  login page's and the token route's 401 and 429);
* the database pool (connections open, in use, waiting overflow) and the answer caches' hits and
  misses, read when scraped.

Readable only from the addresses and networks in ``FCATLAS_METRICS_FRA`` (default: this machine,
127.0.0.1 and ::1); any other caller gets 403. Behind nginx the caller is the real client (uvicorn's
``--forwarded-allow-ips``), so the proxy cannot be used to reach it from outside. Each worker
process counts its own requests: run one worker per instance, or scrape each instance.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

#: routes whose 401/429 is a failed login
LOGIN_ROUTES = frozenset({"/logga-in", "/api/v1/auth/token"})
DEFAULT_FROM = "127.0.0.1/32 ::1/128"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(spec: str | None) -> tuple[Network, ...]:
    """The networks of ``FCATLAS_METRICS_FRA`` (addresses or CIDR, separated by commas or spaces)."""
    text = DEFAULT_FROM if spec is None or not spec.strip() else spec
    return tuple(ipaddress.ip_network(part, strict=False) for part in text.replace(",", " ").split())


def allowed(client: str, nets: Iterable[Network]) -> bool:
    try:
        addr = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(addr in net for net in nets)


def route_label(scope: dict[str, Any]) -> str:
    """The route's template; the public answers served from the cache have none: their path (a
    fixed set) with a RegSO code replaced."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    from fcatlas.web.cache import CACHED_PAGES, CACHED_PATHS

    path = str(scope.get("path", ""))
    if CACHED_PATHS.match(path):
        return "/api/v1/areas/{code}/similar" if path.endswith("/similar") else path
    if CACHED_PAGES.match(path):
        return {"omrade": "/omrade/{regso}", "enhet": "/enhet/{unit_id}"}.get(path.split("/")[1], path)
    return "okänd"


def _pool_gauge(name: str, text: str, pool: Any) -> GaugeMetricFamily:
    gauges = {"storlek": "size", "utlanade": "checkedout", "lediga": "checkedin", "overflow": "overflow"}
    g = GaugeMetricFamily(name, text, labels=["tillstand"])
    for label, method in gauges.items():
        fn = getattr(pool, method, None)
        if callable(fn):
            g.add_metric([label], float(fn()))
    return g


class _Figures(Collector):
    """Read at scrape time: the database pool and the caches' hits and misses."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        import os

        worker = GaugeMetricFamily("fcatlas_worker_info", "Arbetsprocessen som svarade (varje process räknar för sig)",
                                   labels=["pid"])
        worker.add_metric([str(os.getpid())], 1.0)
        yield worker
        yield _pool_gauge("fcatlas_db_pool_connections", "Databaspoolens anslutningar (arbetet i trådar)",
                          self.app.state.engine.pool)
        loop = getattr(self.app.state, "loop_engine", None)
        if loop is not None:
            yield _pool_gauge("fcatlas_db_loop_pool_connections",
                              "Databaspoolens anslutningar (de lätta anropen i händelseslingan)", loop.pool)
        import gc

        yield GaugeMetricFamily("fcatlas_heap_settled_objects",
                                "Objekt som arbetsprocessen behåller hela livet, utanför skräpsamlarens fulla pass "
                                "(0: uppvärmningen pågår eller processen startades inte av fcatlas serve)",
                                value=float(gc.get_freeze_count()))
        hits = CounterMetricFamily("fcatlas_cache_hits", "Träffar i svarscacharna", labels=["cache"])
        misses = CounterMetricFamily("fcatlas_cache_misses", "Missar i svarscacharna", labels=["cache"])
        for name, lru in self._caches():
            hits.add_metric([name], float(getattr(lru, "hits", 0)))
            misses.add_metric([name], float(getattr(lru, "misses", 0)))
        yield hits
        yield misses

    def _caches(self) -> Iterator[tuple[str, Any]]:
        from fcatlas.web.cache import PublicAnswers

        yield "svarskroppar", self.app.state.bodies
        yield "berakningar", self.app.state.memo
        layer = getattr(self.app, "middleware_stack", None)
        for _ in range(20):  # the middleware stack, outermost first, to the public answers' cache
            if layer is None:
                break
            if isinstance(layer, PublicAnswers):
                yield "publika_svar", layer.answers
                break
            layer = getattr(layer, "app", None)


class RequestFigures:
    """This worker's counts: every request's route, method, status and seconds, given by the one
    timing middleware (:class:`fcatlas.web.app.AccessLog`, which also writes the access log)."""

    def __init__(self, fastapi_app: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("fcatlas_http_requests", "Anrop per väg, metod och status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("fcatlas_http_request_duration_seconds", "Svarstid per väg", ["route", "method"],
                                 registry=self.registry,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.errors = Counter("fcatlas_http_errors", "Svar med status 5xx per väg", ["route"], registry=self.registry)
        self.login_failures = Counter("fcatlas_login_failures", "Misslyckade eller strypta inloggningar",
                                      ["route"], registry=self.registry)
        self.registry.register(_Figures(fastapi_app))

    def count(self, scope: dict[str, Any], code: int, seconds: float) -> None:
        if scope["path"] == "/metrics":
            return
        route, method = route_label(scope), scope["method"]
        self.requests.labels(route, method, str(code)).inc()
        self.latency.labels(route, method).observe(seconds)
        if code >= 500:
            self.errors.labels(route).inc()
        if route in LOGIN_ROUTES and method == "POST" and code in (401, 429):
            self.login_failures.labels(route).inc()


class Metrics:
    """ASGI middleware: answers ``/metrics`` (the :class:`RequestFigures` of this worker) itself."""

    def __init__(self, app: Any, figures: RequestFigures, allowed_from: tuple[Network, ...]) -> None:
        self.app, self.figures, self.allowed_from = app, figures, allowed_from
        self.registry = figures.registry

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/metrics":
            await self._answer(scope, send)
            return
        await self.app(scope, receive, send)

    async def _answer(self, scope: dict[str, Any], send: Any) -> None:
        client = (scope.get("client") or ("", 0))[0]
        if not allowed(client, self.allowed_from):
            body = json.dumps({"fel": "mätvärdena får bara läsas från de adresser som FCATLAS_METRICS_FRA anger",
                               "detaljer": []}, ensure_ascii=False).encode()
            headers, code = [(b"content-type", b"application/json; charset=utf-8")], 403
        else:
            body = generate_latest(self.registry)
            headers, code = [(b"content-type", CONTENT_TYPE_LATEST.encode())], 200
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"cache-control", b"no-store"))
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})


def install(app: Any, spec: str | None) -> RequestFigures:
    """Serve ``/metrics`` to ``spec``'s addresses (``FCATLAS_METRICS_FRA``); returns the figures
    that the timing middleware counts every request in."""
    figures = RequestFigures(app)
    app.add_middleware(Metrics, figures=figures, allowed_from=networks(spec))
    return figures
