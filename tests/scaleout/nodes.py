"""Application nodes for the scale-out tests: a database of their own on the
suite's PostgreSQL server, and gunicorn processes serving it with one
configuration, as a deployment behind a load balancer would run them.

A `Browser` is one person's client (its own cookies); each request names the
node it goes to, so that a journey can send every step to the other node.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
START_TIMEOUT = 90  # seconds: two processes importing the application on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`, dropped afterwards."""
    name = f"atelier_nodes_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


def start_node(name: str, environment: Mapping[str, str], log_dir: Path, workers: int = 1) -> Node:
    port = free_port()
    log_path = log_dir / f"node-{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped whole
    )
    return Node(name, port, process, log_path, log)


def wait_until_serving(nodes: list[Node]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    waiting = list(nodes)
    while waiting:
        node = waiting[0]
        if node.process.poll() is not None:
            raise RuntimeError(f"node {node.name} exited:\n{node.output()}")
        try:
            if requests.get(f"{node.url}/healthz", timeout=2).status_code == 200:
                waiting.pop(0)
                continue
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"node {node.name} did not start:\n{node.output()}")
        time.sleep(0.2)


def stop_nodes(nodes: list[Node]) -> None:
    """SIGTERM to each node's process group, SIGKILL to what remains."""
    for node in nodes:
        if node.process.poll() is None:
            os.killpg(node.process.pid, signal.SIGTERM)
    for node in nodes:
        try:
            node.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait(timeout=10)
        node.log.close()


class Browser:
    """One person's client: cookies kept across nodes (as one host name
    behind a load balancer), the CSRF token of the last page read, and the
    list of (node, method, path, status) it sent."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.csrf: str | None = None
        self.sent: list[tuple[str, str, str, int]] = []

    def _remember(self, node: Node, method: str, path: str, response: requests.Response) -> None:
        self.sent.append((node.name, method, path, response.status_code))
        if response.headers.get("Content-Type", "").startswith("text/html"):
            found = CSRF.search(response.text)
            if found:
                self.csrf = found.group(1) or found.group(2)

    def get(self, node: Node, path: str, **options: Any) -> requests.Response:
        response = self.http.get(node.url + path, allow_redirects=False, timeout=60, **options)
        self._remember(node, "GET", path, response)
        return response

    def post(
        self, node: Node, path: str, data: dict[str, Any] | None = None, **options: Any
    ) -> requests.Response:
        form = {"csrf_token": self.csrf, **(data or {})}
        response = self.http.post(
            node.url + path, data=form, allow_redirects=False, timeout=60, **options
        )
        self._remember(node, "POST", path, response)
        return response

    def nodes_used(self) -> set[str]:
        return {node for node, *_rest in self.sent}
