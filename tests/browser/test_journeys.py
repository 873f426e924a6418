"""Journeys through the app in a real browser (Chromium), in Russian.

Each journey ends with a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from compensation.models import PeriodState
from payments.models import ImportBatch, ImportUpload, Payment
from payments.services import import_batch_mark_stopped
from payments.tasks import import_upload_store
from tests.factories import PASSWORD, Cast, ClientFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, closed_october, set_scheme

NBSP = "\N{NO-BREAK SPACE}"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The people paid by this work in Russian; numbers must read "27 000,00 ₽".
    return {**browser_context_args, "locale": "ru-RU", "accept_downloads": True}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def submit(page: Any, selector: str) -> None:
    """Click a form's button and wait for the page it leads to (never the old one)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")


def sign_in(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    submit(page, "form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def ru(amount: str) -> str:
    """``27000.00`` → ``27 000,00`` as the Russian page writes it."""
    whole, _, kopecks = amount.partition(".")
    groups = f"{int(whole):,}".replace(",", NBSP)
    return f"{groups},{kopecks}"


def test_the_october_bonus_from_proposal_to_payroll(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    cast = people
    period = closed_october(cast)

    # The head types the seed's awards; the engine's preview follows as they type.
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('proposal', args=[period.pk])}")
    page.fill(f"#id_award_{cast.masha.pk}", "15000")
    page.fill(f"#id_reason_{cast.masha.pk}", "Вернула двух самых трудных клиентов")
    page.fill(f"#id_deduction_{cast.vasya.pk}", "6000")
    page.fill(f"#id_reason_{cast.vasya.pk}", "Пропустил звонки клиентам своей недели")
    masha_preview = page.locator(f'[data-bonus="{cast.masha.personnel_number}"]')
    masha_preview.wait_for()
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.includes(text)",
        arg=[f'[data-bonus="{cast.masha.personnel_number}"]', ru("27000.00")],
    )
    screenshot("1-head-proposal-preview")
    submit(page, "#proposal-form button[type=submit]")
    submit(page, "#proposal-form button[name=send]")
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED

    # The director halves Vasya's deduction, with a reason, and approves.
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('review', args=[period.pk])}")
    vasya_line = period.revisions.get().proposal.get(employee=cast.vasya)
    page.click(f"#deduction-{vasya_line.pk} >> xpath=ancestor::details/summary")
    page.fill(f"#deduction-{vasya_line.pk}", "3000")
    page.fill(f"#reason-{vasya_line.pk}", "Первый случай за год")
    submit(page, f"#reason-{vasya_line.pk} >> xpath=ancestor::form//button")
    screenshot("2-director-review")
    submit(page, f"form[action='{reverse('period_approve', args=[period.pk])}'] button")
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED

    # Masha sees her bonus with the whole chain: (45 000 − 15 000 + 3 000) / 3 = 11 000.
    sign_in(page, live_server, "masha")
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=['2026-10'])}")
    text = page.inner_text("main")
    # collected, pool, head, staff pool, equal share, her bonus, her pay (20 000 + 26 000)
    for figure in (
        "55000000.00",
        "75000.00",
        "30000.00",
        "45000.00",
        "11000.00",
        "26000.00",
        "46000.00",
    ):
        assert ru(figure) in text, f"{figure} missing from Masha's page"
    assert "Вернула двух самых трудных клиентов" in text
    assert ru("28000.00") not in text  # Vasya's pay (20 000 + 8 000) is not hers to see
    screenshot("3-masha-my-bonus")

    # The accountant downloads the XLSX; its numbers are the approved lines.
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payroll')}")
    link = reverse("payroll_export", args=[period.pk, 1, "standard", "xlsx"])
    with page.expect_download() as download_info:
        page.click(f"form[action='{link}'] button")
    content = Path(download_info.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = {row[1]: Decimal(str(row[6])) for row in sheet.iter_rows(min_row=2, values_only=True)}
    lines = period.revisions.get().pay_lines.select_related("employee")
    assert rows == {line.employee.personnel_number: line.bonus for line in lines}
    assert rows[cast.masha.personnel_number] == Decimal("26000.00")
    screenshot("4-accountant-payroll")


def upload_october(page: Any, live_server: Any, people: Cast, tmp_path: Any, row: str) -> None:
    """As the administrator, upload october.csv for its preview: a known client's payment
    of 1,000.00 on the 2nd, then ``row``."""
    ClientFactory(name="Альфа", inn="7701000019", department=people.dept)
    statement = tmp_path / "october.csv"
    statement.write_text(
        f"date,amount,client,reference\n2026-10-02,1000.00,7701000019,A-1\n{row}\n",
        encoding="utf-8",
    )
    sign_in(page, live_server, "root")
    page.goto(f"{live_server.url}{reverse('import_upload')}")
    page.set_input_files("#id_file", str(statement))
    submit(page, "main form button[type=submit]")


def test_an_import_with_a_bad_row_is_shown_and_nothing_is_saved(
    page: Any, live_server: Any, people: Cast, screenshot: Any, tmp_path: Any
) -> None:
    upload_october(page, live_server, people, tmp_path, "2026-10-03,12.345,7701000019,A-2")
    errors = page.inner_text("#import-errors")
    assert "3" in errors
    assert "amount" in errors
    assert page.locator("button[name=cancel]").count() == 1
    # no button but "discard": the file cannot be imported
    assert page.locator("main form button:not([name=cancel])").count() == 0
    screenshot("5-import-rejected")
    assert Payment.objects.count() == 0


def test_an_import_is_previewed_then_confirmed(
    page: Any, live_server: Any, people: Cast, screenshot: Any, tmp_path: Any
) -> None:
    # given a clean statement of two payments, uploaded
    upload_october(page, live_server, people, tmp_path, "2026-10-03,250.50,7701000019,A-2")

    # when the preview shows what would be saved (nothing is yet)
    assert page.inner_text("[data-count=new]").startswith("2")
    assert f"1{NBSP}250,50" in page.inner_text("[data-count=new]")
    assert Payment.objects.count() == 0

    # and "Import" is clicked
    assert page.inner_text("main form button:not([name=cancel])") == "Загрузить"
    submit(page, "main form button:not([name=cancel])")

    # then the batch page tells what was saved, and nothing of the file waits any more
    assert page.inner_text("main h1") == "Загрузка: october.csv"
    assert "Загружено новых платежей: 2." in page.inner_text("main")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("250.50"),
        Decimal("1000.00"),
    ]
    assert ImportBatch.objects.count() == 1
    assert not ImportUpload.objects.exists()
    screenshot("5b-import-confirmed")


def test_an_import_that_stopped_is_run_again_from_its_stored_file(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given a large statement whose worker died before it finished, marked stopped
    ClientFactory(name="Альфа", inn="7701000019", department=people.dept)
    data = b"date,amount,client,reference\n2026-10-02,1000.00,7701000019,A-1\n"
    stored = import_upload_store(
        file_name="october.csv", chunks=[data], size=len(data), fmt="auto", user=people.admin
    )
    with translation.override("ru"):  # as the administrator's Russian admin page does
        stopped = import_batch_mark_stopped(user=people.admin, batch=stored)

    # when the administrator opens its page, the file is offered again
    sign_in(page, live_server, "root")
    page.goto(f"{live_server.url}{reverse('import_batch', args=[stopped.pk])}")
    assert "Её файл ещё хранится" in page.inner_text("#import-retry")
    assert page.inner_text("#import-retry button") == "Загрузить снова"
    assert "Отмечена остановленной администратором." in page.inner_text("#import-errors")
    screenshot("5c-import-stopped")

    # and "Import again" is clicked
    submit(page, "#import-retry button")

    # then a new batch imported the stored file, and the stopped one stays as it was
    again = ImportBatch.objects.exclude(pk=stopped.pk).get()
    assert page.url.endswith(reverse("import_batch", args=[again.pk]))
    assert "Сохранённый файл загружается снова." in page.inner_text("main")
    assert page.inner_text("[data-count=new]") == "1"
    assert page.locator("#import-retry").count() == 0
    assert list(Payment.objects.values_list("import_batch", "amount")) == [
        (again.pk, Decimal("1000.00"))
    ]
    assert ImportBatch.objects.get(pk=stopped.pk).status == "failed"
    assert not ImportUpload.objects.exists()
    screenshot("5d-import-run-again")


def test_staff_cannot_reach_other_peoples_pages(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    period = closed_october(people)
    sign_in(page, live_server, "masha")
    for name in ("proposal", "review"):
        response = page.goto(f"{live_server.url}{reverse(name, args=[period.pk])}")
        assert response.status in (403, 404), name
    export = reverse("payroll_export", args=[period.pk, 1, "standard", "xlsx"])
    assert page.request.post(f"{live_server.url}{export}").status in (403, 404)
    sign_in(page, live_server, "sergey")
    response = page.goto(f"{live_server.url}{reverse('period_detail', args=[period.pk])}")
    assert response.status == 404
    screenshot("6-other-department-refused")


def test_a_scheme_change_from_a_stale_tab_is_refused(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given the October scheme open in two tabs of the director's browser
    scheme = set_scheme(people)
    sign_in(page, live_server, "dina")
    url = f"{live_server.url}{reverse('scheme_edit', args=[people.dept.pk, OCTOBER])}"
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    # when the other tab raises the plan, saying why
    other.fill("#id_plan", "60000000,00")
    other.fill("#id_reason", "Новый ключевой клиент")
    submit(other, "main form button[type=submit]")
    assert "Схема сохранена." in other.inner_text("main")
    # and this one, still showing the old scheme, lowers it
    page.fill("#id_plan", "45000000,00")
    page.fill("#id_reason", "Ушёл клиент")
    submit(page, "main form button[type=submit]")
    # then this change is refused, naming whose change stands and why, and the page
    # shows the scheme as it now stands
    refusal = page.inner_text("main .alert-danger")
    assert "её изменил(а) Dina Kuznetsova («Новый ключевой клиент»)" in refusal
    assert page.input_value("#id_plan") == ru("60000000.00")
    screenshot("7-scheme-change-refused")
    scheme.refresh_from_db()
    assert (scheme.plan, scheme.version) == (Decimal("60000000.00"), 2)
