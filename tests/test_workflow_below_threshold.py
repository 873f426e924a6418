"""A month whose collections stay below the threshold: a zero pool, nothing to share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compensation import services
from tests.factories import Cast
from tests.test_workflow_helpers import closed_october

D = Decimal
# 38 M collected against a threshold of 40 M
BELOW_THRESHOLD = (
    (dt.date(2026, 10, 5), "20000000.00"),
    (dt.date(2026, 10, 24), "18000000.00"),
)


def test_it_has_a_zero_pool_below_the_threshold(cast: Cast) -> None:
    period = closed_october(cast, BELOW_THRESHOLD)
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )

    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )

    revision = period.revisions.get()
    assert (revision.result["pool"], revision.result["head"]) == ("0.00", "0.00")
    assert {(line.bonus, line.total == line.base_salary) for line in revision.pay_lines.all()} == {
        (D("0.00"), True)
    }


def test_it_rejects_any_award_when_the_pool_is_zero(cast: Cast) -> None:
    period = closed_october(cast, BELOW_THRESHOLD)

    with pytest.raises(ValidationError) as raised:
        services.proposal_save(
            user=cast.head.user,
            period=period,
            expected_version=period.version,
            lines={cast.masha.pk: ("0.01", "0", "A kopeck for effort")},
        )

    messages = raised.value.message_dict
    assert list(messages) == [f"award_{cast.masha.pk}"]
    assert "staff pool is 0.00" in messages[f"award_{cast.masha.pk}"][0]


def test_it_refuses_a_deduction_beyond_a_zero_share(cast: Cast) -> None:
    period = closed_october(cast, BELOW_THRESHOLD)

    with pytest.raises(ValidationError) as raised:
        services.proposal_save(
            user=cast.head.user,
            period=period,
            expected_version=period.version,
            lines={cast.vasya.pk: ("0", "100.00", "Late reports")},
        )

    assert list(raised.value.message_dict) == [f"deduction_{cast.vasya.pk}"]
    period.refresh_from_db()
    assert period.revisions.get().proposal.get(employee=cast.vasya).proposed_deduction == 0


def test_it_rejects_an_award_the_director_adds_to_a_zero_pool(cast: Cast) -> None:
    period = closed_october(cast, BELOW_THRESHOLD)
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )

    with pytest.raises(ValidationError) as raised:
        services.proposal_edit(
            user=cast.director.user,
            period=period,
            expected_version=period.version,
            employee=cast.olya,
            award="500.00",
            deduction="0",
            reason="Deserves something",
        )

    assert list(raised.value.message_dict) == ["award"]
