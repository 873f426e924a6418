"""The workflow's e-mails go out from the worker, after the step has committed.

Tests run the immediate task backend (``config.test_settings``); the dummy backend keeps
the job instead, which shows that the request itself sends nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django_tasks import default_task_backend

from compensation import services, tasks
from compensation.models import PeriodEvent, PeriodState
from compensation.services import _common
from tests.factories import Cast
from tests.test_workflow_helpers import closed_october, proposed_october

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class RefusingMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def test_it_leaves_the_mail_to_the_worker(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a queue whose worker has not run yet
    settings.TASKS = DUMMY_TASKS
    period = closed_october(cast)

    # when the head submits
    with django_capture_on_commit_callbacks(execute=True):
        period = services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version
        )

    # then the request sent nothing and queued one job for the step's event
    assert mail.outbox == []
    [job] = default_task_backend.results
    event = period.events.get(action=PeriodEvent.Action.SUBMIT)
    assert job.task.func is tasks.send_period_event_mail.func
    assert job.kwargs == {"event_id": event.pk, "language": "en"}

    # and when the worker runs it, the commercial director is told
    assert tasks.send_period_event_mail.call(**job.kwargs) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [["dina@example.com"]]
    assert "awaits your review" in mail.outbox[0].subject


def test_it_queues_nothing_for_a_step_rolled_back(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a closed period
    settings.TASKS = DUMMY_TASKS
    period = closed_october(cast)

    def submit_then_fail() -> None:
        with transaction.atomic():
            services.proposal_submit(
                user=cast.head.user, period=period, expected_version=period.version
            )
            raise RuntimeError("a later failure")

    # when the submission is rolled back by a failure later in the same transaction
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        submit_then_fail()

    # then no job was queued and nobody was told
    assert callbacks == []
    assert default_task_backend.results == []
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_and_the_approval_stands(
    cast: Cast,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a mail server that refuses connections
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    period = proposed_october(cast)

    # when the director approves
    with (
        caplog.at_level(logging.ERROR, logger="compensation.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        period = services.period_approve(
            user=cast.director.user, period=period, expected_version=period.version
        )

    # then the period is approved and the failure is in the log
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED
    assert "Could not send" in caplog.text
    assert "anna@example.com" in caplog.text


def test_a_queue_that_refuses_the_job_is_logged_and_the_step_stands(
    cast: Cast,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a task queue that is down
    class RefusingQueue:
        def enqueue(self, **kwargs: Any) -> None:
            raise ConnectionError("queue down")

    monkeypatch.setattr(_common, "send_period_event_mail", RefusingQueue())
    period = closed_october(cast)

    # when the head submits
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        period = services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version
        )

    # then the proposal is submitted, nobody was told, and the log says why
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED
    assert mail.outbox == []
    assert "queue down" in caplog.text
