"""The load test's user: signed in (a session made by the benchmark), reading pages.

``BENCH_PATHS`` lists the pages (comma-separated), ``BENCH_SESSION`` the session key.
"""

from __future__ import annotations

import os

from locust import HttpUser, constant, task

PATHS = [path for path in os.environ.get("BENCH_PATHS", "/healthz").split(",") if path]
SESSION = os.environ.get("BENCH_SESSION", "")


class PageReader(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        if SESSION:
            self.client.cookies.set("sessionid", SESSION)

    @task
    def read_pages(self) -> None:
        for path in PATHS:
            # A redirect (to sign-in, say) would hide a failure: only a 200 counts.
            with self.client.get(
                path, name=path, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
