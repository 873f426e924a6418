"""Two imports of the same months at once: each operation is written once, both finish."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from accounts.policy import SYSTEM
from payments.importing import payments_import
from payments.models import ImportStatus, Payment
from tests.factories import ClientFactory, build_cast


def spreadsheet(first: int, last: int, inns: list[str]) -> bytes:
    """CSV rows ``first`` to ``last`` - 1; the same number gives the same payment."""
    rows = ["date;amount;inn;reference"]
    for n in range(first, last):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=n % 300)
        rows.append(f"{day:%d.%m.%Y};{n % 9000 + 1}.25;{inns[n % len(inns)]};ref-{n}")
    return ("\n".join(rows) + "\n").encode()


def _at_once(*imports: bytes) -> list[Any]:
    """Run the imports in threads of their own, started together; their results."""
    start = threading.Barrier(len(imports))
    results: list[Any] = [None] * len(imports)
    failures: list[BaseException] = []

    def run(number: int, data: bytes) -> None:
        try:
            start.wait(timeout=10)
            results[number] = payments_import(user=SYSTEM, file_name="file.csv", data=data)
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(imports)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_file_imported_twice_at_once_is_written_once() -> None:
    cast = build_cast()
    inns = [ClientFactory(department=cast.dept).inn for _ in range(5)]
    data = spreadsheet(0, 3000, inns)

    first, second = _at_once(data, data)

    # one import wrote the payments; the other waited for its months, then found them all
    assert sorted((r.new, r.duplicate) for r in (first, second)) == [(0, 3000), (3000, 0)]
    assert {r.batch.status for r in (first, second)} == {ImportStatus.DONE}
    assert Payment.objects.count() == 3000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_files_of_the_same_payments_in_opposite_orders_at_once() -> None:
    cast = build_cast()
    inns = [ClientFactory(department=cast.dept).inn for _ in range(5)]
    lines = spreadsheet(0, 2000, inns).decode().splitlines()
    forward = spreadsheet(0, 2000, inns)
    backward = ("\n".join([lines[0], *reversed(lines[1:])]) + "\n").encode()

    results = _at_once(forward, backward)

    # every payment is written once, whichever import wrote it, and both are done
    assert sum(r.new for r in results) == 2000
    assert sum(r.duplicate for r in results) == 2000
    assert {r.batch.status for r in results} == {ImportStatus.DONE}
    assert Payment.objects.count() == 2000
