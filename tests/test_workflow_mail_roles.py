"""Each role is told what a step means to it, with a link to where it acts, in its language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from compensation import services
from compensation.models import BonusPeriod
from tests.factories import Cast
from tests.test_workflow_helpers import closed_october, proposed_october


@pytest.fixture
def site(settings: Any) -> Any:
    settings.SITE_URL = "https://bonus.example.com"
    return settings


def _to(address: str) -> Any:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def _approve_edited(cast: Cast) -> None:
    period = proposed_october(cast)
    period = services.proposal_edit(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        employee=cast.masha,
        award="5000",
        deduction="0",
        reason="Too generous",
    )
    mail.outbox.clear()
    services.period_approve(user=cast.director.user, period=period, expected_version=period.version)


def test_it_tells_the_head_and_the_accountant_different_things_on_approval(
    cast: Cast, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a proposal the director edited; when it is approved
    with django_capture_on_commit_callbacks(execute=True):
        _approve_edited(cast)
    period = BonusPeriod.objects.get(department=cast.dept)

    # then the head reads that it is approved, what changed, and where to see it
    head = _to("ivan@example.com")
    assert head.subject == "Client department: the bonus for October 2026 is approved"
    assert "export" not in head.body
    rub = "\N{NO-BREAK SPACE}₽"
    assert f"Masha Ivanova: award 15,000.00{rub} → 5,000.00{rub}" in head.body
    assert "(Too generous)" in head.body
    assert f"https://bonus.example.com/periods/{period.pk}/" in head.body
    # and the accountant that the payroll is ready to export, with the payroll's link
    accountant = _to("anna@example.com")
    assert accountant.subject == "Client department: the bonus for October 2026 is ready to export"
    assert "can now be exported" in accountant.body
    assert "https://bonus.example.com/payroll/" in accountant.body


def test_it_links_the_director_to_the_review_and_the_head_to_the_proposal(
    cast: Cast, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a closed October
    period = closed_october(cast)

    # when the head submits and the director returns it
    with django_capture_on_commit_callbacks(execute=True):
        period = services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.period_return(
            user=cast.director.user,
            period=period,
            expected_version=period.version,
            comment="Check Vasya's deduction",
        )

    # then each link is absolute and leads to where that person acts
    director = _to("dina@example.com")
    assert f"https://bonus.example.com/periods/{period.pk}/review/" in director.body
    head = _to("ivan@example.com")
    assert "Check Vasya's deduction" in head.body
    assert f"https://bonus.example.com/periods/{period.pk}/proposal/" in head.body


def test_it_writes_to_each_person_in_russian_unless_they_chose_otherwise(
    cast: Cast, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given the site's language is Russian and the step is taken in English
    site.LANGUAGE_CODE = "ru"
    period = proposed_october(cast)
    mail.outbox.clear()

    # when the director approves
    with django_capture_on_commit_callbacks(execute=True):
        services.period_approve(
            user=cast.director.user, period=period, expected_version=period.version
        )

    # then the accountant reads Russian, the month in words, never "2026-10"
    accountant = _to("anna@example.com")
    assert accountant.subject == "Client department: премия за октябрь 2026 готова к выгрузке"
    assert "2026-10" not in accountant.body + accountant.subject
    assert "https://bonus.example.com/payroll/" in accountant.body
