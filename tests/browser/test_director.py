"""The director's pages in a real browser, in Russian and English: Dina walks every
department's month, the cash gap with its forecast and trend, a department's year and
the obligations; Masha opens her own year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation.models import MonthlyObligation
from payments.models import Invoice
from tests.browser.test_journeys import ru, sign_in, submit
from tests.factories import Cast, ClientFactory, PaymentFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, approved_october, set_scheme

pytestmark = pytest.mark.django_db(transaction=True)
NOVEMBER = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 12)
WORDS = {
    "ru": {
        "director": "Директор",
        "departments": "Все отделы",
        "gap": "Кассовый разрыв",
        "deepest": "Наибольший разрыв",
        "forecast": "Прогноз до конца месяца",
        "year": "Год",
        "obligations": "Обязательства компании",
        "my_year": "Мой 2026 год",
        "my_year_link": "Мой год: оклад, премия и всего начислено по месяцам",
        "on_track": "успеваем",
    },
    "en": {
        "director": "Director",
        "departments": "All departments",
        "gap": "Cash gap",
        "deepest": "Deepest gap",
        "forecast": "Forecast to the month's end",
        "year": "The year",
        "obligations": "The company's obligations",
        "my_year": "My year 2026",
        "my_year_link": "My year: base, bonus and total pay month by month",
        "on_track": "on track",
    },
}


def money(amount: str, language: str) -> str:
    return ru(amount) if language == "ru" else f"{Decimal(amount):,.2f}"


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU" if language == "ru" else "en-US"}


@pytest.fixture
def company(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Cast:
    """SPEC's October approved; November running with 5 M in and 20 M invoiced."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    cast = build_cast()
    approved_october(cast)
    set_scheme(cast, NOVEMBER)
    alpha = ClientFactory(name="Alpha", department=cast.dept, responsible=cast.masha)
    PaymentFactory(client=alpha, received_on=dt.date(2026, 11, 3), amount=Decimal("5000000.00"))
    Invoice.objects.create(
        client=alpha,
        month=NOVEMBER,
        number="11-1",
        issued_on=dt.date(2026, 11, 2),
        due_on=dt.date(2026, 11, 20),
        amount=Decimal("25000000.00"),
    )
    MonthlyObligation.objects.create(month=OCTOBER, total=Decimal("44000000.00"))
    MonthlyObligation.objects.create(month=NOVEMBER, total=Decimal("40000000.00"))
    return cast


def test_the_director_walks_the_company(
    page: Any, live_server: Any, company: Cast, language: str
) -> None:
    words = WORDS[language]
    sign_in(page, live_server, "dina")

    # the navigation's director area opens every department's running month
    submit(page, f"nav >> text={words['director']}")
    assert words["departments"] in page.inner_text("h1")
    table = page.inner_text("#departments")
    assert "Client department" in table
    assert "Key accounts" in table
    # 5 M in; 20 M still invoiced and October's 55 M payer usually paying on the 14th:
    # the first gate on track, the forecast (marked ≈) 80 M
    assert words["on_track"] in table
    assert "≈ " + money("80000000.00", language) in table

    # sorted by collected, largest first, then a click opens the department's dashboard
    submit(page, "#departments thead a >> nth=1")
    submit(page, "#departments thead a >> nth=1")
    assert "sort=-collected" in page.url
    assert page.inner_text("#departments tbody tr >> nth=0").startswith("Client department")

    # the cash gap of the running month: collected so far and the forecast apart
    submit(page, f"main nav >> text={words['gap']}")
    assert words["deepest"] in page.inner_text("main")
    assert words["forecast"] in page.inner_text("main")
    assert page.locator("svg.chart polyline.forecast").count() == 1
    assert page.locator("#gap-trend tbody tr").count() == 12

    # October's gap: 2 M owed a working day; 26 M in against 34 M owed by Friday the 23rd
    page.goto(f"{live_server.url}{reverse('cash_gap', args=[OCTOBER])}")
    assert money("8000000.00", language) in page.inner_text("#deepest-gap")

    # the year of the department, with October's pool split as SPEC section 2 says
    page.goto(f"{live_server.url}{reverse('department_year', args=[company.dept.pk])}")
    year = page.inner_text("#year")
    assert money("75000.00", language) in year
    assert money("30000.00", language) in year
    assert money("45000.00", language) in year

    # the obligations page
    page.goto(f"{live_server.url}{reverse('obligations_import')}")
    assert words["obligations"] in page.inner_text("h1")
    assert money("44000000.00", language) in page.inner_text("#obligations")


def test_masha_sees_her_own_year_and_no_director_area(
    page: Any, live_server: Any, company: Cast, language: str
) -> None:
    words = WORDS[language]
    sign_in(page, live_server, "masha")
    assert words["director"] not in page.inner_text("nav")

    # from her bonus page to her own year
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[OCTOBER])}")
    submit(page, f"text={words['my_year_link']}")
    assert words["my_year"] in page.inner_text("h1")
    mine = page.inner_text("#my-year")
    assert money("27000.00", language) in mine
    assert money("47000.00", language) in mine


def test_the_director_s_pages_fit_a_phone_and_pass_axe(
    browser: Any, live_server: Any, company: Cast, language: str
) -> None:
    from tests.browser.test_role_journeys import (
        WIDTHS,
        _sign_in,
        serious_violations,
        sideways_overflow,
    )

    pages = {
        "dina": [
            reverse("director_departments", args=[NOVEMBER]),
            reverse("cash_gap", args=[NOVEMBER]),
            reverse("department_year", args=[company.dept.pk]),
            reverse("obligations_import"),
        ],
        "masha": [reverse("my_year")],
    }
    problems: list[str] = []
    for width_name, (width, height) in WIDTHS.items():
        for username, urls in pages.items():
            context = browser.new_context(
                locale="ru-RU" if language == "ru" else "en-US",
                viewport={"width": width, "height": height},
                # axe-core goes in as an inline script, which the app's CSP rightly refuses.
                bypass_csp=True,
            )
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = _sign_in(context, live_server, username)
            for url in urls:
                assert page.goto(f"{live_server.url}{url}").status == 200
                where = f"{language} {width_name} {url}"
                wide = sideways_overflow(page)
                if wide:
                    problems.append(f"{where} scrolls sideways: {wide}")
                problems += [f"{where}: {v}" for v in serious_violations(page)]
            context.close()
    assert not problems, "\n".join(problems)
