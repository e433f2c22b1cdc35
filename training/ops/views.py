"""/readyz for the load balancer, /metrics for Prometheus."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify

from training.extensions import db
from training.ops import metrics

bp = Blueprint("ops", __name__)


def redis_urls() -> dict[str, str]:
    """Every Redis the configuration relies on, by what it serves."""
    urls = {}
    storage = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(("redis://", "rediss://", "redis+unix://")):
        urls["rate_limits"] = storage.replace("redis+unix://", "unix://", 1)
    if current_app.config.get("ATELIER_REDIS_URL"):
        urls["jobs"] = current_app.config["ATELIER_REDIS_URL"]
    return urls


def _redis_answers(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        connection = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(connection.ping())
        finally:
            connection.close()
    except (RedisError, OSError, ValueError):
        return False


@bp.route("/readyz")
def readyz() -> Any:
    """Ready to serve: the database and every configured Redis answer.
    Names what fails, never how (no address, no error text)."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # any database failure means "not ready"
        current_app.logger.exception("Readiness check: the database does not answer")
        db.session.rollback()
        checks["database"] = "unreachable"
    for name, url in redis_urls().items():
        answered = _redis_answers(url)
        if not answered:
            current_app.logger.error("Readiness check: the Redis of %s does not answer", name)
        checks[f"redis_{name}"] = "ok" if answered else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "error", **checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics", endpoint="metrics")
def prometheus_metrics():
    """Prometheus's text format, for a bearer of ATELIER_METRICS_TOKEN or an
    address of ATELIER_METRICS_NETWORKS; 404 when neither is configured,
    403 to anyone else."""
    verdict = metrics.allowed(current_app)
    if verdict is None:
        abort(404)
    if not verdict:
        abort(403)
    body, content_type = metrics.exposition(current_app._get_current_object())
    response = current_app.response_class(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response
