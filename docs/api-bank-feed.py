#!/usr/bin/env python3
"""A bank-feed integration: post a day's payments, then read the dashboard's figures.

Runs against a running server with an integration token made by an administrator
(admin → API tokens, scope "read and write", the department ticked):

    export TEAMBONUS_TOKEN='<the secret shown once>'
    python docs/api-bank-feed.py --url http://localhost:8000 --department 1 \\
        --month 2026-11 payments-2026-11-20.csv

The file is a CSV (date, amount, inn, reference, purpose; comma or semicolon) or a JSON
array of the same objects. The idempotency key is the file's own hash, so posting the
same day's file again (a retry after a timeout, a second run of cron) adds nothing and
prints the first answer. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

FIELDS = ("date", "amount", "inn", "client", "reference", "purpose")


def load_rows(data: bytes, name: str) -> list[dict[str, str]]:
    """The payments of a CSV or JSON file, amounts kept as the text they are."""
    if name.lower().endswith(".json"):
        return json.loads(data)
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return [
        {key: value for key, value in row.items() if key in FIELDS and value}
        for row in csv.DictReader(io.StringIO(text), dialect=dialect)
    ]


def request(
    base_url: str,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One call of the API: its status and its JSON (an answer or problem details)."""
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(  # noqa: S310 - the URL is the operator's own server
        base_url.rstrip("/") + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(call, timeout=120) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def post_payments(base_url: str, token: str, rows: list[dict[str, str]], key: str) -> Any:
    return request(
        base_url,
        token,
        "POST",
        "/api/v1/payments/bulk",
        {"payments": rows},
        {"Idempotency-Key": key},
    )


def read_collections(base_url: str, token: str, department: int, month: str) -> Any:
    return request(base_url, token, "GET", f"/api/v1/departments/{department}/collections/{month}")


def report(status: int, answer: dict[str, Any]) -> str:
    if status >= 400:
        lines = [f"{status} {answer.get('title')}: {answer.get('detail')}"]
        errors = answer.get("errors", [])
        lines += [f"  row {e['row']}, {e['field']}: {e['detail']}" for e in errors]
        return "\n".join(lines)
    return (
        f"{answer['new']} new payment(s) for {answer['new_amount']}, "
        f"{answer['duplicate']} already recorded, {answer['unmatched']} to assign"
    )


def run(base_url: str, token: str, file: Path, department: int, month: str) -> int:
    data = file.read_bytes()
    key = "bank-feed-" + hashlib.sha256(data).hexdigest()
    status, answer = post_payments(base_url, token, load_rows(data, file.name), key)
    print(report(status, answer))
    if status >= 400:
        return 1
    status, figures = read_collections(base_url, token, department, month)
    if status >= 400:
        print(report(status, figures))
        return 1
    print(f"{figures['department']['name']}, {month}: collected {figures['collected']}")
    if figures["progress"]:
        progress = figures["progress"]
        print(f"  {progress['percent_of_plan']} % of the plan {progress['plan']}")
        for milestone in progress["milestones"]:
            print(f"  by {milestone['date']}: {milestone['status']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="http://localhost:8000")
    parser.add_argument("--department", type=int, required=True)
    parser.add_argument("--month", required=True, help="2026-11")
    parser.add_argument("--token", default=os.environ.get("TEAMBONUS_TOKEN"))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set TEAMBONUS_TOKEN")
    return run(args.url, args.token, args.file, args.department, args.month)


if __name__ == "__main__":
    sys.exit(main())
