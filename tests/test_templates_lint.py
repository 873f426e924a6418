"""Templates never write an id or a version in the page's number format.

With grouped thousands on (the Russian UI writes ``1 234``), ``{{ obj.pk }}`` renders
as ``1 234`` once ids pass a thousand, and a form posting it back fails. Ids and
versions written into a page go through ``|unlocalize``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RAW_ID = re.compile(r"\{\{ *[a-z_.]+\.(pk|id|[a-z_]+_id|version) *\}\}")


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_id_is_written_localised(path: Path) -> None:
    raw = RAW_ID.findall(path.read_text("utf-8"))
    assert not raw, f"{path.name}: use |unlocalize for {raw}"


def test_unlocalize_keeps_a_large_id_plain_in_russian(settings: object) -> None:
    template = Template('{% load l10n %}<input value="{{ n }}"><input value="{{ n|unlocalize }}">')
    with translation.override("ru"):
        html = template.render(Context({"n": 1234}))
    # the first is what the bug looked like, the second what the templates now write
    assert 'value="1\N{NO-BREAK SPACE}234"' in html
    assert 'value="1234"' in html


TRANSLATE_WITH_PERCENT = re.compile(r"\{% *translate +([\"'])([^\"'{}]*%[^\"'{}]*)\1 *%\}")


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_a_translated_text_with_a_percent_sign_is_translated(path: Path) -> None:
    """``{% translate %}`` looks a text up with its ``%`` doubled (as Django's
    ``Variable`` does), so a catalogue entry written with a single ``%`` is never found
    and the Russian page shows English."""
    for _quote, text in TRANSLATE_WITH_PERCENT.findall(path.read_text("utf-8")):
        template = Template("{% load i18n %}{% translate " + repr(text) + " %}")
        with translation.override("ru"):
            rendered = template.render(Context())
        assert rendered != text, f"{path.name}: no Russian for {text!r}"
