"""Prometheus metrics: what the requests did (counted by each process) and,
read from the database at each scrape, the jobs waiting and the outbox.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an empty
folder the workers share (prometheus_client's multiprocess mode): a scrape
then adds up every worker's counts, whichever worker answers it.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "atelier_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
DURATION = Histogram(
    "atelier_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class DatabaseGauges(Collector):
    """Read at each scrape: jobs by status, outbox messages by status."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        import sqlalchemy as sa

        from training.extensions import db
        from training.jobs.models import Job
        from training.mail.models import OutboxMessage

        jobs = GaugeMetricFamily("atelier_jobs", "Jobs by status.", labels=["status"])
        outbox = GaugeMetricFamily(
            "atelier_outbox_messages", "Messages in the mail outbox by status.", labels=["status"]
        )
        with self.app.app_context():
            try:
                for model, family in ((Job, jobs), (OutboxMessage, outbox)):
                    for status, count in db.session.execute(
                        sa.select(model.status, sa.func.count()).group_by(model.status)
                    ):
                        family.add_metric([str(status.value)], count)
            finally:
                db.session.remove()
        yield jobs
        yield outbox


def registry(app: Flask) -> CollectorRegistry:
    scraped = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(scraped)
    else:
        scraped.register(REQUESTS)
        scraped.register(DURATION)
    scraped.register(DatabaseGauges(app))
    return scraped


def allowed(app: Flask) -> bool | None:
    """True for a bearer of the token or an allowed address; False for
    others; None when metrics are not configured at all."""
    token = app.config.get("ATELIER_METRICS_TOKEN") or ""
    networks = app.config.get("ATELIER_METRICS_NETWORKS") or ""
    if not token and not networks:
        return None
    if token:
        offered = request.headers.get("Authorization", "")
        scheme, _, value = offered.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return True
    if networks and request.remote_addr:
        try:
            address = ipaddress.ip_address(request.remote_addr)
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(network.strip(), strict=False)
            for network in networks.split(",")
            if network.strip()
        )
    return False


def exposition(app: Flask) -> tuple[bytes, str]:
    return generate_latest(registry(app)), CONTENT_TYPE_LATEST


def init_app(app: Flask) -> None:
    @app.after_request
    def count_request(response):
        endpoint = request.endpoint or "none"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            DURATION.labels(endpoint).observe(time.perf_counter() - started)
        return response
