from __future__ import annotations

import pytest

from tests.factories import Cast, build_cast


@pytest.fixture
def cast(db: None) -> Cast:
    """The standard cast of people (see ``tests.factories.Cast``)."""
    return build_cast()
