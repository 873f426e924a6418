"""The HTTP API: payments, invoices and absences in; figures out; tokens, idempotency,
rate limits and problem details. The table of every endpoint × every caller is in
``tests/test_api_access.py``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Absence
from api.models import ApiToken, IdempotentRequest
from api.tokens import api_token_create, api_token_revoke
from payments.models import ImportBatch, Invoice, Payment, Source
from tests.factories import Cast, ClientFactory

NOVEMBER_DAY = "2026-11-20"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def secrets(cast: Cast) -> dict[str, str]:
    """A read token and a write token for the cast's department, a write token for the
    other department."""
    made = {}
    for name, scope, department in (
        ("read", "read", cast.dept),
        ("write", "write", cast.dept),
        ("other", "write", cast.other),
    ):
        _token, secret = api_token_create(
            user=cast.admin, name=f"bank-{name}", scope=scope, departments=[department]
        )
        made[name] = secret
    return made


def call(
    method: str, name: str, *args: Any, token: str | None = None, body: Any = None, **headers: str
) -> Any:
    http = HttpClient()
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    url = reverse(f"api:{name}", args=args)
    if method == "GET":
        return http.get(url, **extra)
    return http.post(url, json.dumps(body), content_type="application/json", **extra)


def rows(*inns_amounts: tuple[str, str], reference: str = "A") -> list[dict[str, str]]:
    return [
        {"date": NOVEMBER_DAY, "amount": amount, "inn": inn, "reference": f"{reference}-{n}"}
        for n, (inn, amount) in enumerate(inns_amounts, start=1)
    ]


# --- payments in ---------------------------------------------------------------------


def test_a_bulk_write_imports_every_row_through_the_pipeline(
    cast: Cast, secrets: dict[str, str]
) -> None:
    # given two clients of the department
    one, two = ClientFactory(department=cast.dept), ClientFactory(department=cast.dept)
    # when
    body = {"payments": rows((one.inn, "1500.50"), (two.inn, "2000.00"))}
    response = call("POST", "payments_bulk", token=secrets["write"], body=body)
    # then
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["new"], answer["duplicate"], answer["new_amount"]) == (2, 0, "3500.50")
    payments = Payment.objects.filter(client__in=[one, two]).order_by("amount")
    assert [p.amount for p in payments] == [Decimal("1500.50"), Decimal("2000.00")]
    assert {p.source for p in payments} == {Source.API}
    batch = ImportBatch.objects.get(pk=answer["batch"])
    assert (batch.file_name, batch.format, batch.created_by) == ("api:bank-write", "json", None)
    assert ApiToken.objects.get(name="bank-write").last_used_at is not None


def test_the_same_rows_again_are_repeats_not_new_payments(
    cast: Cast, secrets: dict[str, str]
) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "700.00"))}
    call("POST", "payments_bulk", token=secrets["write"], body=body)
    again = call("POST", "payments_bulk", token=secrets["write"], body=body)
    assert again.status_code == 200
    assert (again.json()["new"], again.json()["duplicate"]) == (0, 1)
    assert Payment.objects.filter(client=client).count() == 1


def test_a_single_payment_goes_through_the_same_checks(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    payment = {"date": NOVEMBER_DAY, "amount": "99.99", "inn": client.inn, "reference": "7"}
    response = call("POST", "payment_create", token=secrets["write"], body=payment)
    assert response.status_code == 201
    assert Payment.objects.get(client=client).amount == Decimal("99.99")
    bad = call("POST", "payment_create", token=secrets["write"], body={**payment, "amount": "-5"})
    assert bad.status_code == 422
    assert (bad.json()["row"], bad.json()["field"]) == (1, "amount")


def test_one_bad_row_rejects_the_whole_body_naming_the_row_and_field(
    cast: Cast, secrets: dict[str, str]
) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "100.00"), (client.inn, "12,3x"), ("0000", "5.00"))}
    response = call("POST", "payments_bulk", token=secrets["write"], body=body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:teambonus:problem:rows-rejected"
    assert problem["status"] == 422
    assert (problem["row"], problem["field"]) == (2, "amount")
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [(2, "amount"), (3, "inn")]
    assert not Payment.objects.filter(client=client).exists()


def test_an_amount_as_a_json_number_is_refused_naming_row_and_field(
    cast: Cast, secrets: dict[str, str]
) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": [*rows((client.inn, "1.00")), {"date": NOVEMBER_DAY, "amount": 0.1}]}
    response = call("POST", "payments_bulk", token=secrets["write"], body=body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["row"], response.json()["field"]) == (2, "amount")
    assert not Payment.objects.filter(client=client).exists()


def test_a_token_writes_only_its_own_departments_clients(
    cast: Cast, secrets: dict[str, str]
) -> None:
    ours, theirs = ClientFactory(department=cast.other), ClientFactory(department=cast.dept)
    body = {"payments": rows((ours.inn, "10.00"), (theirs.inn, "20.00"))}
    response = call("POST", "payments_bulk", token=secrets["other"], body=body)
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "inn")]
    assert "may not write" in response.json()["errors"][0]["detail"]
    assert not Payment.objects.filter(client__in=[ours, theirs]).exists()


def test_a_dry_run_counts_and_writes_nothing(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "10.00")), "dry_run": True}
    response = call("POST", "payments_bulk", token=secrets["write"], body=body)
    assert response.status_code == 200
    assert (response.json()["new"], response.json()["dry_run"]) == (1, True)
    assert not Payment.objects.filter(client=client).exists()


# --- idempotency -----------------------------------------------------------------------


def test_the_same_idempotency_key_twice_adds_nothing_and_returns_the_first_answer(
    cast: Cast, secrets: dict[str, str]
) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "10.00"), (client.inn, "20.00"))}
    first = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key="d1")
    second = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key="d1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(client=client).count() == 2
    assert ImportBatch.objects.filter(file_name="api:bank-write").count() == 1


def test_the_same_key_with_another_body_is_refused(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    call(
        "POST",
        "payments_bulk",
        token=secrets["write"],
        body={"payments": rows((client.inn, "10.00"))},
        idempotency_key="k",
    )
    other = call(
        "POST",
        "payments_bulk",
        token=secrets["write"],
        body={"payments": rows((client.inn, "11.00"))},
        idempotency_key="k",
    )
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert Payment.objects.filter(client=client).count() == 1


def test_keys_belong_to_their_caller(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "10.00"))}
    call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key="k")
    http = HttpClient()
    http.force_login(cast.accountant.user)
    response = http.post(
        reverse("api:payments_bulk"),
        json.dumps({"payments": rows((client.inn, "10.00"), reference="B")}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 201
    assert IdempotentRequest.objects.filter(key="k").count() == 2


def test_a_rejected_body_is_remembered_under_its_key_too(
    cast: Cast, secrets: dict[str, str]
) -> None:
    body = {"payments": rows(("0000", "10.00"))}
    first = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key="r")
    again = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key="r")
    assert (first.status_code, again.status_code) == (422, 422)
    assert again["Content-Type"] == "application/problem+json"
    assert again.json() == first.json()


# --- rate limits -------------------------------------------------------------------------


def test_writes_beyond_the_rate_are_answered_429_as_problem_details(
    cast: Cast, secrets: dict[str, str], settings: Any
) -> None:
    settings.API_WRITE_RATE = "2/min"
    client = ClientFactory(department=cast.dept)
    statuses = [
        call(
            "POST",
            "payments_bulk",
            token=secrets["write"],
            body={"payments": rows((client.inn, f"{n}.00"), reference=str(n))},
        ).status_code
        for n in range(1, 4)
    ]
    assert statuses == [201, 201, 429]
    limited = call("POST", "payments_bulk", token=secrets["write"], body={"payments": []})
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["status"] == 429
    assert int(limited["Retry-After"]) >= 1
    # reads are not limited, and another caller has its own count
    assert call("GET", "departments", token=secrets["write"]).status_code == 200
    other = ClientFactory(department=cast.other)
    body = {"payments": rows((other.inn, "1.00"))}
    assert call("POST", "payments_bulk", token=secrets["other"], body=body).status_code == 201


# --- tokens ------------------------------------------------------------------------------


def test_a_token_is_stored_as_a_hash_only(cast: Cast) -> None:
    token, secret = api_token_create(
        user=cast.admin, name="feed", scope="read", departments=[cast.dept]
    )
    token.refresh_from_db()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix + ".")
    assert len(secret) > 40
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)


def test_a_revoked_or_wrong_token_is_refused(cast: Cast, secrets: dict[str, str]) -> None:
    assert call("GET", "departments", token=secrets["read"]).status_code == 200
    wrong = secrets["read"][:-2] + ("AA" if not secrets["read"].endswith("AA") else "BB")
    assert call("GET", "departments", token=wrong).status_code == 401
    assert call("GET", "departments", token="nonsense").status_code == 401
    api_token_revoke(user=cast.admin, token=ApiToken.objects.get(name="bank-read"))
    refused = call("GET", "departments", token=secrets["read"])
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"]


def test_only_an_administrator_makes_or_revokes_tokens(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_create(user=cast.director.user, name="x", scope="read", departments=[])
    token, _secret = api_token_create(user=cast.admin, name="x", scope="read", departments=[])
    with pytest.raises(PermissionDenied):
        api_token_revoke(user=cast.accountant.user, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_admin_shows_the_secret_once_and_revokes(cast: Cast) -> None:
    http = HttpClient()
    http.force_login(cast.admin)
    response = http.post(
        reverse("admin:api_apitoken_add"),
        {"name": "bank", "scope": "write", "departments": [cast.dept.pk]},
        follow=True,
    )
    token = ApiToken.objects.get(name="bank")
    page = response.content.decode()
    secret = (
        page.split("secret is ")[1].split(".", 1)[0]
        + "."
        + page.split("secret is ")[1].split(".", 1)[1].split(" ")[0].rstrip(".")
    )
    assert secret.startswith(token.prefix)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert list(token.departments.all()) == [cast.dept]
    assert token.created_by == cast.admin
    assert call("GET", "departments", token=secret).status_code == 200
    change = http.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert secret not in change
    http.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert call("GET", "departments", token=secret).status_code == 401


# --- invoices and absences in ------------------------------------------------------------


def test_invoices_in_all_or_nothing(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    invoice = {
        "inn": client.inn,
        "number": "INV-1",
        "date": "2026-11-02",
        "amount": "5000.00",
        "due": "2026-11-30",
    }
    bad = {**invoice, "number": "INV-2", "due": "2026-10-01"}
    refused = call(
        "POST", "invoices_bulk", token=secrets["write"], body={"invoices": [invoice, bad]}
    )
    assert refused.status_code == 422
    assert (refused.json()["row"], refused.json()["field"]) == (2, "due")
    assert not Invoice.objects.exists()
    done = call("POST", "invoices_bulk", token=secrets["write"], body={"invoices": [invoice]})
    assert (done.status_code, done.json()["new"]) == (201, 1)
    assert Invoice.objects.get().amount == Decimal("5000.00")
    again = call("POST", "invoices_bulk", token=secrets["write"], body={"invoices": [invoice]})
    assert (again.status_code, again.json()["known"], again.json()["new"]) == (200, 1, 0)
    foreign = call("POST", "invoices_bulk", token=secrets["other"], body={"invoices": [invoice]})
    assert (foreign.status_code, foreign.json()["field"]) == (422, "inn")


def test_an_absence_in(cast: Cast, secrets: dict[str, str]) -> None:
    absence = {
        "personnel_number": cast.olya.personnel_number,
        "kind": "vacation",
        "started_on": "2026-11-09",
        "ended_on": "2026-11-13",
    }
    response = call("POST", "absence_create", token=secrets["write"], body=absence)
    assert response.status_code == 201, response.content
    saved = Absence.objects.get(employee=cast.olya)
    assert (saved.started_on, saved.ended_on) == (dt.date(2026, 11, 9), dt.date(2026, 11, 13))
    overlap = call("POST", "absence_create", token=secrets["write"], body=absence)
    assert overlap.status_code == 422
    reversed_days = {**absence, "started_on": "2026-12-09", "ended_on": "2026-12-01"}
    wrong = call("POST", "absence_create", token=secrets["write"], body=reversed_days)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "ended_on")
    unknown = call(
        "POST", "absence_create", token=secrets["write"],
        body={**absence, "personnel_number": "nobody"},
    )  # fmt: skip
    assert (unknown.status_code, unknown.json()["field"]) == (422, "personnel_number")
    # another department's token may not record Olya's absence
    elsewhere = {**absence, "started_on": "2026-12-14", "ended_on": "2026-12-15"}
    assert call("POST", "absence_create", token=secrets["other"], body=elsewhere).status_code == 403
    assert Absence.objects.filter(employee=cast.olya).count() == 1


def test_problems_speak_the_callers_language(cast: Cast, secrets: dict[str, str]) -> None:
    client = ClientFactory(department=cast.dept)
    body = {"payments": rows((client.inn, "1.00"), ("0000", "2.00"))}
    russian = call("POST", "payments_bulk", token=secrets["write"], body=body, accept_language="ru")
    english = call("POST", "payments_bulk", token=secrets["write"], body=body, accept_language="en")
    assert (russian.json()["row"], russian.json()["field"]) == (2, "inn")
    assert russian.json()["title"] == "Платежи не загружены."
    assert english.json()["title"] == "The payments were not imported."
    assert russian.json()["errors"][0]["detail"] != english.json()["errors"][0]["detail"]


def test_a_body_that_is_not_json_is_a_problem_too(cast: Cast, secrets: dict[str, str]) -> None:
    response = HttpClient().post(
        reverse("api:payments_bulk"),
        "date;amount\n",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secrets['write']}",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:teambonus:problem:invalid"


def test_a_session_write_needs_the_csrf_token(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(cast.accountant.user)
    response = http.post(
        reverse("api:payments_bulk"),
        json.dumps({"payments": rows((client.inn, "5.00"))}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:teambonus:problem:forbidden"
    assert not Payment.objects.filter(client=client).exists()


def test_a_bulk_writes_queries_do_not_grow_with_its_rows(
    cast: Cast, secrets: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    clients = [ClientFactory(department=cast.dept) for _ in range(5)]

    def body(count: int, batch: str) -> dict[str, Any]:
        return {
            "payments": rows(
                *((clients[n % 5].inn, f"{n + 1}.00") for n in range(count)), reference=batch
            )
        }

    with django_assert_max_num_queries(60) as few:
        assert (
            call("POST", "payments_bulk", token=secrets["write"], body=body(5, "a")).json()["new"]
            == 5
        )
    with django_assert_max_num_queries(60) as many:
        assert (
            call("POST", "payments_bulk", token=secrets["write"], body=body(300, "b")).json()["new"]
            == 300
        )
    assert len(many.captured_queries) == len(few.captured_queries)


_serial = iter(range(10**6))


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
        min_size=1,
        max_size=8,
    )
)
def test_a_body_sent_twice_under_one_key_is_written_once_to_the_kopeck(
    cast: Cast, secrets: dict[str, str], amounts: list[Decimal]
) -> None:
    cache.clear()
    client = ClientFactory(department=cast.dept)
    batch = f"h{next(_serial)}"
    body = {"payments": rows(*((client.inn, str(a)) for a in amounts), reference=batch)}
    first = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key=batch)
    again = call("POST", "payments_bulk", token=secrets["write"], body=body, idempotency_key=batch)
    assert again.json() == first.json()
    assert Decimal(first.json()["new_amount"]) == sum(amounts)
    stored = Payment.objects.filter(client=client).values_list("amount", flat=True)
    assert sorted(stored) == sorted(amounts)
