# ruff: noqa: E501
# (the expected-status table reads best one endpoint a line)
"""Every API endpoint × every caller (the roles, and three integration tokens) × own/other
object → the expected status, written by hand like ``tests/test_url_access.py``.

``read`` and ``write`` are tokens of the cast's department; ``other`` is a write token of
the other department, whose own objects are that department's (as for ``other_head``).
Writes are sent with an empty JSON object: a caller the policy admits gets 422 (the body
is checked after the caller), one it refuses 403, an anonymous one 401.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse

from api.tokens import api_token_create
from tests.test_api import call
from tests.test_url_access import World, world  # noqa: F401 - the fixture, shared

CALLERS = (
    "anonymous", "staff", "head", "other_head", "director", "accountant", "admin",
    "read", "write", "other",
)  # fmt: skip
TOKENS = {"read": ("read", "dept"), "write": ("write", "dept"), "other": ("write", "other")}


def row(method: str, kind: str, *statuses: str) -> tuple[str, str, dict[str, str]]:
    assert len(statuses) == len(CALLERS)
    return method, kind, dict(zip(CALLERS, statuses, strict=True))


#                       anonymous  staff      head       other_head director   accountant admin      read       write      other
TABLE = {
    "api:departments":    row("GET", "none", "401", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
    "api:collections":    row("GET", "department", "401/401", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200", "200/404", "200/404", "200/404"),
    "api:periods":        row("GET", "none", "401", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
    "api:period":         row("GET", "period", "401/401", "200/404", "200/404", "200/404", "200/200", "200/404", "200/200", "200/404", "200/404", "200/404"),
    "api:statement":      row("GET", "month", "401", "200", "200", "200", "403", "403", "403", "403", "403", "403"),
    "api:payment_create": row("POST", "none", "401", "403", "403", "403", "403", "422", "422", "403", "422", "422"),
    "api:payments_bulk":  row("POST", "none", "401", "403", "403", "403", "403", "422", "422", "403", "422", "422"),
    "api:invoices_bulk":  row("POST", "none", "401", "403", "403", "403", "403", "422", "422", "403", "422", "422"),
    "api:absence_create": row("POST", "none", "401", "403", "422", "422", "403", "403", "422", "403", "422", "422"),
    # the schema and its page: for people signed in
    "api:openapi-json":   row("GET", "none", "302", "200", "200", "200", "200", "200", "200", "302", "302", "302"),
    "api:openapi-view":   row("GET", "none", "302", "200", "200", "200", "200", "200", "200", "302", "302", "302"),
    "api:api-root":       row("GET", "none", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
}  # fmt: skip


def test_the_table_names_every_api_url() -> None:
    from tests.test_url_access import project_url_names

    assert {n for n in project_url_names() if n.startswith("api:")} == TABLE.keys()


def _swapped(caller: str, pair: tuple[list[Any], list[Any]]) -> tuple[list[Any], list[Any]]:
    return (pair[1], pair[0]) if caller in ("other_head", "other") else pair


def _secrets(given: World) -> dict[str, str]:
    departments = {"dept": given.cast.dept, "other": given.cast.other}
    return {
        caller: api_token_create(
            user=given.cast.admin, name=caller, scope=scope, departments=[departments[where]]
        )[1]
        for caller, (scope, where) in TOKENS.items()
    }


def _status(caller: str, given: World, secrets: dict[str, str], method: str, url: str) -> int:
    http = HttpClient()
    headers = {}
    if caller in secrets:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secrets[caller]}"
    elif given.users[caller] is not None:
        http.force_login(given.users[caller])
    if method == "POST":
        return http.post(url, "{}", content_type="application/json", **headers).status_code
    return http.get(url, **headers).status_code


def test_every_endpoint_gives_each_caller_the_expected_status(
    world: World,  # noqa: F811 - the fixture imported above
    settings: Any,
) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.API_WRITE_RATE = "1000/min"
    secrets = _secrets(world)
    failures = []
    for caller in CALLERS:
        for name, (method, kind, expected) in TABLE.items():
            own, other = _swapped(caller, world.objects[kind])
            for args, want in zip((own, other), expected[caller].split("/"), strict=False):
                got = _status(caller, world, secrets, method, reverse(name, args=args))
                if str(got) != want:
                    failures.append(f"{name} {args} as {caller}: {got}, expected {want}")
    assert not failures, "\n".join(failures)


def test_refusals_are_problem_details(world: World) -> None:  # noqa: F811
    secrets = _secrets(world)
    for response in (
        call("GET", "departments"),
        call("GET", "statement", "2026-10", token=secrets["read"]),
        call("POST", "payments_bulk", token=secrets["read"], body={"payments": []}),
        call("GET", "period", 999999, token=secrets["read"]),
    ):
        assert response["Content-Type"] == "application/problem+json"
        problem = json.loads(response.content)
        assert problem["status"] == response.status_code
        assert {"type", "title", "detail"} <= problem.keys()
