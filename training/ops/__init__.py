"""Running Atelier on several servers: readiness, request logs, metrics.

- `/healthz` (training.home) says the process answers and reaches its
  database; `/readyz` adds every Redis the configuration names (the rate
  limits' store, the job queue), for a load balancer to stop sending
  requests to a node that cannot serve them.
- One JSON line per request on the `atelier.requests` logger (time, request
  id, user id, route, method, status, duration): no path, query or form
  value, so no personal data.
- `/metrics` for Prometheus (requests, durations, jobs waiting, the mail
  outbox), answered only to a bearer of ATELIER_METRICS_TOKEN or an address
  in ATELIER_METRICS_NETWORKS; a 404 when neither is set.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from training.ops import metrics, request_log

    request_log.init_app(app)
    metrics.init_app(app)
