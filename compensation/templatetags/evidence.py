"""``{% period_evidence period as evidence %}``: the per-person evidence of a closed month.

A tag so that the evidence is one include on the pages where awards are decided; it
reads through the selector, and the pages that include it already checked access.
"""

from __future__ import annotations

from django import template

from compensation.models import BonusPeriod
from compensation.selectors import PersonEvidence, period_evidence

register = template.Library()


@register.simple_tag
def evidence_of(period: BonusPeriod) -> list[PersonEvidence]:
    return period_evidence(period)
