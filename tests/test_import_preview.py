"""The import preview lists possible repeats; a person keeps or drops each one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.policy import SYSTEM
from payments.importing import payments_import
from payments.models import Client, ImportBatch, Payment
from tests.factories import Cast, ClientFactory

FIXTURES = Path(__file__).parent / "fixtures"
ONEC = (FIXTURES / "statement-1c-utf8.txt").read_text(encoding="utf-8")
# The same statement with the Alfa document of 06.11.2025 under another number, and the
# Petrov one under another too: both the same payer, day and amount as one on record.
RENUMBERED = ONEC.replace("Номер=512", "Номер=513").replace("Номер=38", "Номер=39")
ALFA_LINE, PETROV_LINE = 20, 50


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return {
        inn: ClientFactory(name=name, inn=inn, department=cast.dept)
        for inn, name in [("7701000019", "Alfa"), ("772300000344", "Petrov")]
    }


def signed_in(user: object) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


def previewed(http: HttpClient, text: str) -> tuple[str, str]:
    """Upload the statement; its preview's address and token."""
    response = http.post(
        reverse("import_upload"),
        {"file": SimpleUploadedFile("again.txt", text.encode()), "format": "auto"},
    )
    assert response.status_code == 302
    url = response["Location"]
    return url, re.search(r"import/([0-9a-f]+)/", url).group(1)


def test_the_preview_lists_possible_repeats_with_a_skip_box_each(clients: dict, cast: Cast) -> None:
    # given the statement imported before
    payments_import(user=SYSTEM, file_name="statement.txt", data=ONEC.encode())
    alfa = Payment.objects.get(source_ref="512")
    http = signed_in(cast.admin)

    # when the renumbered statement is previewed
    url, _token = previewed(http, RENUMBERED)
    page = http.get(url)

    # then both are listed, each with the payment it resembles and an unticked box
    html = page.content.decode()
    preview = page.context["preview"]
    assert (preview["new"], preview["duplicate"], preview["near_match_count"]) == (2, 1, 2)
    assert [near["line"] for near in preview["near_matches"]] == [ALFA_LINE, PETROV_LINE]
    assert preview["near_matches"][0]["existing_id"] == alfa.pk
    assert f'name="skip" value="{ALFA_LINE}"' in html
    assert f'name="skip" value="{PETROV_LINE}"' in html
    assert "checked" not in html.split('id="import-near-matches"')[1].split("</table>")[0]
    assert f"payment #{alfa.pk}, Alfa, № 512" in html
    assert not Payment.objects.filter(source_ref__in=["513", "39"]).exists()


def test_the_confirm_leaves_out_the_lines_ticked_and_keeps_the_others(
    clients: dict, cast: Cast
) -> None:
    payments_import(user=SYSTEM, file_name="statement.txt", data=ONEC.encode())
    http = signed_in(cast.admin)
    url, token = previewed(http, RENUMBERED)
    http.get(url)

    # when the Alfa one is ticked "skip" (and a line the preview never listed is posted)
    done = http.post(
        reverse("import_confirm", args=[token]), {"skip": [str(ALFA_LINE), "2", "x"]}, follow=True
    )

    # then only the Petrov one is imported, and the Alfa one counts as a repeat
    assert not Payment.objects.filter(source_ref="513").exists()
    assert Payment.objects.filter(source_ref="39").exists()
    batch = ImportBatch.objects.latest("created_at")
    assert (batch.new_count, batch.duplicate_count) == (1, 2)
    assert "Imported 1 new payments. 1 left out as repeats." in done.content.decode()


def test_a_confirm_with_nothing_ticked_keeps_every_possible_repeat(
    clients: dict, cast: Cast
) -> None:
    payments_import(user=SYSTEM, file_name="statement.txt", data=ONEC.encode())
    http = signed_in(cast.admin)
    url, token = previewed(http, RENUMBERED)
    http.get(url)

    http.post(reverse("import_confirm", args=[token]))

    assert Payment.objects.filter(source_ref__in=["513", "39"]).count() == 2
    assert Payment.objects.count() == 4  # Vektor is no client: it waits unmatched
