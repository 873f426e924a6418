"""Questions and notices for the tests that walk every URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import Department
from compensation.models import Notice, NoticeKind, Question
from compensation.services.questions import question_ask

OCTOBER = dt.date(2026, 10, 1)


def question_of(user: Any, department: Department, month: dt.date = OCTOBER) -> Question:
    """A staff member's question about their equal share, asked through the service."""
    return question_ask(
        user=user,
        department=department,
        month=month,
        line="equal_share",
        text="Why is my equal share 12,000?",
    )


def notice_for(user: Any, department: Department, month: dt.date = OCTOBER) -> Notice:
    """An unread notice that the month was approved."""
    return Notice.objects.create(
        recipient=user,
        kind=NoticeKind.APPROVED,
        department=department,
        month=month,
        revision=1,
        details={"bonus": "12000.00"},
    )
