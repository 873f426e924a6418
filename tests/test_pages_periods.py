"""The period pages through Django's test client: close, propose, review, history, payroll."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import PeriodEvent, PeriodState
from tests.factories import Cast
from tests.test_workflow_helpers import (
    approved_october,
    closed_october,
    pay_in,
    proposed_october,
    set_scheme,
)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_head_closes_october_from_the_close_screen(cast: Cast) -> None:
    # given October with the seed's payments and scheme
    set_scheme(cast)
    pay_in(cast)
    http = signed_in(cast.head.user)
    # when the head opens the month's period and its close screen
    detail = http.get(reverse("period_for_month", args=[cast.dept.pk, "2026-10"]), follow=True)
    period = detail.context["period"]
    preview = http.get(reverse("period_close", args=[period.pk]))
    # then the screen shows what will be frozen
    assert preview.context["preview"].can_close
    page = preview.content.decode()
    assert "55,000,000.00" in page
    assert "Masha Ivanova" in page
    # when the head confirms
    http.post(reverse("period_close", args=[period.pk]), {"expected_version": period.version})
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED
    assert period.collected == Decimal("55000000.00")


def test_a_stale_close_is_refused_with_a_reload_message(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)
    http = signed_in(cast.head.user)
    period = http.get(
        reverse("period_for_month", args=[cast.dept.pk, "2026-10"]), follow=True
    ).context["period"]
    response = http.post(
        reverse("period_close", args=[period.pk]),
        {"expected_version": period.version - 1 if period.version > 1 else 99},
        follow=True,
    )
    assert "reload the page" in response.content.decode()
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN


def test_the_live_preview_computes_each_bonus_on_the_server(cast: Cast) -> None:
    period = closed_october(cast)
    http = signed_in(cast.head.user)
    data = {
        "expected_version": period.version,
        f"award_{cast.masha.pk}": "15000.00",
        f"reason_{cast.masha.pk}": "Two hard clients",
        f"deduction_{cast.vasya.pk}": "6000",
        f"reason_{cast.vasya.pk}": "Missed calls",
    }
    response = http.post(reverse("proposal_preview", args=[period.pk]), data)
    assert response.status_code == 200
    bonuses = {line.name: line.bonus for line in response.context["preview"].staff}
    assert bonuses == {
        cast.masha.personnel_number: Decimal("27000.00"),
        cast.vasya.personnel_number: Decimal("6000.00"),
        cast.olya.personnel_number: Decimal("12000.00"),
    }


def test_the_preview_names_a_deduction_beyond_a_share(cast: Cast) -> None:
    period = closed_october(cast)
    response = signed_in(cast.head.user).post(
        reverse("proposal_preview", args=[period.pk]),
        {
            "expected_version": period.version,
            f"deduction_{cast.vasya.pk}": "40000",
            f"reason_{cast.vasya.pk}": "Too much",
        },
    )
    assert response.context["preview"] is None
    assert "more than the person's bonus share" in " ".join(response.context["problems"])


def test_a_proposal_without_a_reason_is_refused_next_to_the_field(cast: Cast) -> None:
    period = closed_october(cast)
    http = signed_in(cast.head.user)
    response = http.post(
        reverse("proposal", args=[period.pk]),
        {"expected_version": period.version, f"award_{cast.masha.pk}": "1000"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"reason_{cast.masha.pk}"]
    assert "invalid-feedback" in response.content.decode()
    period.refresh_from_db()
    line = period.revisions.get().proposal.get(employee=cast.masha)
    assert line.proposed_award == Decimal("0")


def test_staff_cannot_open_the_proposal(cast: Cast) -> None:
    period = closed_october(cast)
    assert signed_in(cast.masha.user).get(reverse("proposal", args=[period.pk])).status_code == 403


def test_the_director_edits_a_line_then_approves(cast: Cast) -> None:
    period = proposed_october(cast)
    http = signed_in(cast.director.user)
    review = http.get(reverse("review", args=[period.pk]))
    assert review.status_code == 200
    http.post(
        reverse("review", args=[period.pk]),
        {
            "expected_version": period.version,
            "employee": cast.masha.pk,
            "award": "12000",
            "deduction": "0",
            "reason": "Award capped this month",
        },
    )
    period.refresh_from_db()
    response = http.post(
        reverse("period_approve", args=[period.pk]), {"expected_version": period.version}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED
    lines = {line.employee_id: line for line in period.revisions.get().pay_lines.all()}
    # (45,000 − 12,000 + 6,000) / 3 = 13,000; Masha 25,000, Vasya 7,000, Olya 13,000
    assert lines[cast.masha.pk].bonus == Decimal("25000.00")
    assert lines[cast.vasya.pk].bonus == Decimal("7000.00")
    assert lines[cast.olya.pk].bonus == Decimal("13000.00")
    assert lines[cast.head.pk].bonus == Decimal("30000.00")


def test_the_proposer_sees_four_eyes_on_the_review_page(cast: Cast) -> None:
    # given a director who is also the department's head proposes
    cast.head.user.groups.add(Group.objects.get(name="Commercial director"))
    period = proposed_october(cast)
    response = signed_in(cast.head.user).get(reverse("review", args=[period.pk]))
    assert response.context["own_proposal"] is True
    approve = signed_in(cast.head.user).post(
        reverse("period_approve", args=[period.pk]),
        {"expected_version": period.version},
        follow=True,
    )
    assert "another commercial director must approve" in approve.content.decode()
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED


def test_return_needs_a_comment(cast: Cast) -> None:
    period = proposed_october(cast)
    http = signed_in(cast.director.user)
    http.post(reverse("period_return", args=[period.pk]), {"expected_version": period.version})
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED
    http.post(
        reverse("period_return", args=[period.pk]),
        {"expected_version": period.version, "comment": "Explain Vasya's deduction"},
    )
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED


def test_the_history_lists_every_step_with_who_and_why(cast: Cast) -> None:
    period = approved_october(cast)
    response = signed_in(cast.director.user).get(reverse("period_history", args=[period.pk]))
    actions = [event.action for event in response.context["events"]]
    assert actions == [
        PeriodEvent.Action.CLOSE,
        PeriodEvent.Action.SAVE_PROPOSAL,
        PeriodEvent.Action.SUBMIT,
        PeriodEvent.Action.APPROVE,
    ]
    assert "Closed the two hardest clients" in response.content.decode()


def _download(http: HttpClient, period: object, layout: str, extension: str) -> bytes:
    response = http.post(reverse("payroll_export", args=[period.pk, 1, layout, extension]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content


def test_the_accountant_downloads_files_that_match_the_approved_lines(cast: Cast) -> None:
    period = approved_october(cast)
    http = signed_in(cast.accountant.user)
    assert http.get(reverse("payroll")).status_code == 200
    expected = {
        line.employee.personnel_number: line
        for line in period.revisions.get().pay_lines.select_related("employee")
    }
    # the standard XLSX: numeric cells equal to the pay lines to the kopeck
    sheet = openpyxl.load_workbook(io.BytesIO(_download(http, period, "standard", "xlsx"))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[1]: (Decimal(str(row[6])), Decimal(str(row[7]))) for row in rows} == {
        number: (line.bonus, line.total) for number, line in expected.items()
    }
    # the standard CSV
    text = _download(http, period, "standard", "csv").decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert {row["Personnel number"]: Decimal(row["Bonus"]) for row in parsed} == {
        number: line.bonus for number, line in expected.items()
    }
    # the 1C:ZUP CSV, cp1251 with Russian numbers
    zup = _download(http, period, "zup", "csv").decode("cp1251")
    masha = next(line for line in zup.splitlines() if cast.masha.personnel_number in line)
    assert "27\N{NO-BREAK SPACE}000,00" in masha
    assert "10.2026" in masha
    # every download is logged
    assert PeriodEvent.objects.filter(period=period, action=PeriodEvent.Action.EXPORT).count() == 3


def test_exports_are_refused_before_approval_and_to_others(cast: Cast) -> None:
    period = proposed_october(cast)
    url = reverse("payroll_export", args=[period.pk, 1, "standard", "xlsx"])
    assert signed_in(cast.accountant.user).post(url).status_code == 404
    approved = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )
    url = reverse("payroll_export", args=[approved.pk, 1, "standard", "xlsx"])
    assert signed_in(cast.masha.user).post(url).status_code in (403, 404)
    assert signed_in(cast.head.user).post(url).status_code in (403, 404)
    # a download is recorded, so it is never a GET
    assert signed_in(cast.accountant.user).get(url).status_code == 405
    assert not PeriodEvent.objects.filter(action=PeriodEvent.Action.EXPORT).exists()


def test_the_accountant_marks_paid(cast: Cast) -> None:
    period = approved_october(cast)
    http = signed_in(cast.accountant.user)
    paid_on = timezone.localdate()
    http.post(
        reverse("period_mark_paid", args=[period.pk]),
        {"expected_version": period.version, "paid_on": paid_on.isoformat()},
    )
    period.refresh_from_db()
    assert period.state == PeriodState.PAID
    event = period.events.get(action=PeriodEvent.Action.PAY)
    assert event.details == {"paid_on": paid_on.isoformat()}


def test_staff_see_team_figures_but_not_pay_lines(cast: Cast) -> None:
    period = approved_october(cast)
    response = signed_in(cast.olya.user).get(reverse("period_detail", args=[period.pk]))
    assert response.status_code == 200
    assert response.context["show_pay"] is False
    assert 'id="pay-lines"' not in response.content.decode()
    other = signed_in(cast.sergey.user).get(reverse("period_detail", args=[period.pk]))
    assert other.status_code == 404


def test_period_pages_run_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    period = approved_october(cast)
    http = signed_in(cast.director.user)
    for name in ("period_detail", "period_history"):
        with django_assert_max_num_queries(25):
            assert http.get(reverse(name, args=[period.pk])).status_code == 200
