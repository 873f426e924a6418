from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import Cast, build_cast


@pytest.fixture
def cast(db: None) -> Cast:
    """The standard cast of people (see ``tests.factories.Cast``)."""
    return build_cast()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the settings' language: a request in Russian activates it for
    the thread (``LocaleMiddleware``), which the next test would otherwise inherit."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
