"""Hostile values in every path parameter and query parameter: never a 500, never a write.

Every URL pattern of the project and the admin is read from the resolver (as
``test_get_never_writes`` does), so a new route is fuzzed without anyone listing it. For
each route and each role, hypothesis fills each path parameter with either a real value
of the standard cast or a hostile one (numbers past bigint, negative numbers, other
scripts' digits, empty and very long strings, ``../``, NUL, SQL and HTML snippets, months
out of range), adds hostile query parameters (the ones the views read and every
django-filter field), and GETs the URL. Derandomized, so a run is repeatable.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import django_filters
import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_get_never_writes import (
    ROLES,
    Route,
    World,
    _changed,
    _tables,
    _users,
    _walk,
    snapshot,
    world,  # noqa: F401 - the fixture, shared
)

EXAMPLES_PER_ROUTE = 4
# Read by the views (payments, dashboard, paginators) and the admin's change lists.
QUERY_NAMES = ("page", "month", "department", "q", "state", "p", "o", "next")
# The year's plans grid's copy and the replay's draft, read from the query string.
QUERY_NAMES += ("percent", "plan", "threshold", "rate", "head_share", "milestones-TOTAL_FORMS")

HOSTILE = (
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-1",
    "0",
    "²",
    "⑤",
    "١٢٣",
    "٢٠٢٦-١١",
    "",
    " ",
    "../",
    "../../../etc/passwd",
    "\x00",
    "1\x00",
    "' OR 1=1 --",
    "1; DROP TABLE payments_payment",
    '<script>alert("x")</script>',
    "%00",
    "0001-01",
    "9999-12",
    "2026-00",
    "2026-13",
    "x" * 5000,
    "1" * 300,
)

hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=20),
)


def _filter_field_names() -> set[str]:
    """Every field name of every django-filter FilterSet in the project."""
    names: set[str] = set()
    todo = [django_filters.FilterSet]
    while todo:
        filterset = todo.pop()
        todo.extend(filterset.__subclasses__())
        names.update(filterset.base_filters)
    return names


def _real_values(cast_world: World, route: Route) -> dict[str, list[str]]:
    values = {}
    for param in route.params:
        values[param] = next(
            fill(route)
            for where, name, fill in cast_world.rules()
            if name == param and re.search(where, route.path)
        )
    return values


# A regular expression's unnamed group, e.g. simple-history's ``([^/]+)/history/([^/]+)/``.
_UNNAMED = re.compile(r"\((?!\?)[^()]*\)")


def _url(route: Route, chosen: dict[str, str], unnamed: list[str]) -> str:
    url = route.path
    for param, value in chosen.items():
        segment = quote(value, safe="")
        url = re.sub(rf"\(\?P<{param}>(?:[^()]|\([^()]*\))*\)", segment, url)
        url = re.sub(rf"<(?:\w+:)?{param}>", segment, url)
    positional = iter(unnamed)
    url = _UNNAMED.sub(lambda _m: quote(next(positional), safe=""), url)
    return "/" + url.replace("^", "").replace("$", "")


def _fuzz_route(
    http: HttpClient, cast_world: World, route: Route, names: tuple[str, ...], failures: list[str]
) -> int:
    real = _real_values(cast_world, route)
    params = st.fixed_dictionaries(
        {param: st.one_of(st.sampled_from(real[param]), hostile) for param in route.params}
    )
    query = st.dictionaries(st.sampled_from(names), hostile, max_size=3)
    count = len(_UNNAMED.findall(route.path))
    unnamed = st.lists(st.one_of(st.just("1"), hostile), min_size=count, max_size=count)
    tried = 0

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(chosen=params, data=query, positional=unnamed)
    def request(chosen: dict[str, str], data: dict[str, str], positional: list[str]) -> None:
        nonlocal tried
        tried += 1
        url = _url(route, chosen, positional)
        response = http.get(url, data)
        if response.status_code >= 500:
            failures.append(f"GET {url} {data!r}: {response.status_code}")

    request()
    return tried


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_gives_a_500_or_writes(
    world: World,  # noqa: F811 - the fixture imported above
    role: str,
    settings: Any,
) -> None:
    settings.LANGUAGE_CODE = "en"
    http = HttpClient(raise_request_exception=False)
    user = _users(world.cast)[role]
    if user is not None:
        http.force_login(user)
    routes = list(_walk(get_resolver().url_patterns))  # imports every view, and its filters
    names = tuple(sorted(set(QUERY_NAMES) | _filter_field_names()))
    tables = _tables()
    failures: list[str] = []
    tried = 0
    before = snapshot(tables)
    for route in routes:
        tried += _fuzz_route(http, world, route, names, failures)
        after = snapshot(tables)
        changed = _changed(before, after)
        if changed:
            failures.append(f"GET {route.path} as {role} wrote {', '.join(changed)}")
            before = after
    print(f"\nfuzzed {len(routes)} routes as {role}: {tried} requests, {len(names)} query names")
    assert tried >= len(routes) * EXAMPLES_PER_ROUTE // 2
    assert not failures, "\n".join(failures[:40])
