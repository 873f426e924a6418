"""The load test's user: signed in (a session made by the benchmark), reading pages.

``BENCH_PATHS`` lists the pages (comma-separated), ``BENCH_SESSION`` the session's
cookie value. Each user reads one page, thinks 1–2 s, reads the next one, and so on.
"""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, task

PATHS = [path for path in os.environ.get("BENCH_PATHS", "/healthz").split(",") if path]
SESSION = os.environ.get("BENCH_SESSION", "")
COOKIE = os.environ.get("BENCH_COOKIE", "sessionid")


class PageReader(HttpUser):
    wait_time = between(1, 2)

    def on_start(self) -> None:
        if SESSION:
            self.client.cookies.set(COOKIE, SESSION)
        # Users start on different pages, so the pages are read alike from the first second.
        first = random.randrange(len(PATHS))
        self.pages = itertools.cycle(PATHS[first:] + PATHS[:first])

    @task
    def read_page(self) -> None:
        path = next(self.pages)
        # A redirect (to sign-in, say) would hide a failure: only a 200 counts.
        with self.client.get(
            path, name=path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
