"""The load scenario of `make bench-load` (bench/bench_load.py runs it):
coordinators browsing and issuing certificates, trainers saving attendance
days, and anonymous visitors verifying certificates, each request sent to
the next of the application nodes (as a load balancer would), all on this
machine.

    ATELIER_LOAD_PLAN=plan.json locust -f bench/locustfile.py --headless ...

The plan (JSON, written by bench_load.py after it fills the database) names
the nodes, the accounts and their password, the sessions each trainer
keeps, the sessions whose certificates are still to issue, and a sample of
verification codes. Each simulated person has an address of its own in
X-Forwarded-For (the nodes trust one proxy), so that the per-address limits
of sign-in and verification count each person apart, as they would behind
a load balancer; the addresses are documentation ones (RFC 5737) and only
travel in that header: every request goes to 127.0.0.1.

A redirect is never followed blindly: a form's answer must be the 303 the
application sends when it saved, then the page it leads to is read as a
browser would (a request of its own in the figures).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = {}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
# The issue-one form of an eligible row ("Issue this one"), not the override.
ISSUABLE = re.compile(
    r"Issue this one</summary>\s*<form[^>]*>\s*<input[^>]*csrf_token[^>]*>\s*"
    r'<input type="hidden" name="enrollment_id" value="(\d+)"'
)
VERSION = re.compile(r'name="version-(\d+)-(am|pm)" value="(\d+)"')
STATUSES = ("present", "present", "present", "present", "late", "absent", "excused")
_addresses = itertools.count(1)


@events.init.add_listener
def _read_plan(environment, **_kwargs) -> None:
    path = os.environ.get("ATELIER_LOAD_PLAN")
    if not path:
        raise SystemExit("ATELIER_LOAD_PLAN names the plan bench/bench_load.py writes")
    with open(path, encoding="utf-8") as plan:
        PLAN.update(json.load(plan))


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 5)  # a person reading the page before the next click

    def on_start(self) -> None:
        number = next(_addresses)
        self.address = f"203.0.{113 + number // 250}.{number % 250 + 1}"
        self.nodes = itertools.cycle(PLAN["nodes"])
        self.csrf: str | None = None

    # Every request goes to the next node, with this person's cookies.
    def _headers(self) -> dict[str, str]:
        return {"X-Forwarded-For": self.address, "Accept-Language": "en"}

    def get(self, path: str, name: str, expect: tuple[int, ...] = (200,)):
        with self.client.get(
            next(self.nodes) + path,
            name=name,
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in expect:
                response.success()
                found = CSRF.search(response.text) if response.status_code == 200 else None
                if found:
                    self.csrf = found.group(1) or found.group(2)
            else:
                response.failure(f"{response.status_code} (expected {expect})")
            return response

    def post(self, path: str, name: str, data: dict[str, Any], expect: int = 303):
        with self.client.post(
            next(self.nodes) + path,
            name=name,
            data={"csrf_token": self.csrf, **data},
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == expect:
                response.success()
            else:
                response.failure(f"{response.status_code} (expected {expect})")
            return response

    def sign_in(self, email: str) -> None:
        self.get("/login", "/login")
        response = self.post(
            "/login", "/login [POST]", {"email": email, "password": PLAN["password"]}
        )
        if response.status_code == 303:
            self.get("/", "/")


class Coordinator(Person):
    """Reads the programme (home, sessions, people, reports) and issues the
    certificates of the completed sessions it was handed, one by one."""

    weight = 2
    _numbers = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        number = next(Coordinator._numbers)
        self.sign_in(PLAN["coordinators"][number % len(PLAN["coordinators"])])
        # Each coordinator issues in sessions no other coordinator touches.
        mine = PLAN["issuable_sessions"][number :: max(len(PLAN["coordinators"]), 1)]
        self.to_issue = list(mine)

    @task(3)
    def home(self) -> None:
        self.get("/", "/")

    @task(3)
    def sessions(self) -> None:
        self.get(f"/sessions?page={random.randint(1, 20)}", "/sessions?page=[n]")

    @task(2)
    def filter_sessions(self) -> None:
        status = random.choice(("completed", "in_progress", "open", "planned"))
        country = random.choice(("BF", "ML", "MR", "NE", "TD"))
        self.get(f"/sessions?status={status}&country={country}", "/sessions?status=&country=")

    @task(4)
    def session(self) -> None:
        self.get(f"/sessions/{random.choice(PLAN['sessions'])}", "/sessions/[id]")

    @task(3)
    def search_people(self) -> None:
        self.get(f"/participants?q={random.choice(PLAN['names'])}", "/participants?q=[name]")

    @task(2)
    def participant(self) -> None:
        self.get(f"/participants/{random.choice(PLAN['participants'])}", "/participants/[id]")

    @task(1)
    def reports(self) -> None:
        self.get("/reports", "/reports")

    @task(4)
    def issue(self) -> None:
        if not self.to_issue:
            return
        session_id = self.to_issue[0]
        page = self.get(f"/sessions/{session_id}/certificates", "/sessions/[id]/certificates")
        if page.status_code != 200:
            return
        found = ISSUABLE.search(page.text)
        if found is None:  # every certificate of this session issued: the next one
            self.to_issue.pop(0)
            return
        response = self.post(
            f"/sessions/{session_id}/certificates/issue-one",
            "/sessions/[id]/certificates/issue-one [POST]",
            {"enrollment_id": found.group(1), "kind": "", "reason": ""},
        )
        if response.status_code == 303:
            self.get(f"/sessions/{session_id}/certificates", "/sessions/[id]/certificates")


class Trainer(Person):
    """Opens the day grid of the session it leads, marks the participants
    (a few changes each time) and saves; reads its home page between."""

    weight = 2
    _numbers = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        number = next(Trainer._numbers)
        mine = PLAN["trainers"][number % len(PLAN["trainers"])]
        self.session_id = mine["session_id"]
        self.days = mine["days"]
        self.sign_in(mine["email"])

    @task(1)
    def home(self) -> None:
        self.get("/", "/")

    @task(1)
    def session(self) -> None:
        self.get(f"/sessions/{self.session_id}", "/sessions/[id]")

    @task(4)
    def save_day(self) -> None:
        day = random.choice(self.days)
        path = f"/sessions/{self.session_id}/attendance/{day}"
        page = self.get(path, "/sessions/[id]/attendance/[day]")
        if page.status_code != 200:
            return
        form: dict[str, Any] = {}
        for enrollment, period, version in VERSION.findall(page.text):
            form[f"version-{enrollment}-{period}"] = version
            form[f"status-{enrollment}-{period}"] = random.choice(STATUSES)
        if not form:
            return
        response = self.post(path, "/sessions/[id]/attendance/[day] [POST]", form)
        if response.status_code == 303:
            self.get(path, "/sessions/[id]/attendance/[day]")


class Verifier(Person):
    """Someone who scanned or typed a certificate's code: mostly real
    codes, now and then a mistyped one (404, as the page answers)."""

    weight = 1
    wait_time = between(3, 8)  # well under the verify page's 30 a minute per address

    @task(6)
    def verify_code(self) -> None:
        self.get(f"/verify/{random.choice(PLAN['codes'])}", "/verify/[code]")

    @task(1)
    def unknown_code(self) -> None:
        code = "".join(random.choice("0123456789ABCDEF") for _ in range(32))
        self.get(f"/verify/{code}", "/verify/[unknown code]", expect=(404,))

    @task(1)
    def form(self) -> None:
        self.get("/verify", "/verify")
