"""The last word of each side of a review: the head's note and the director's comment.

Both are kept on the period's events (``submit`` and ``return``); the pages show the
latest of each where the other side acts, so a comment is never lost in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensation.models import BonusPeriod, PeriodEvent


@dataclass(frozen=True)
class ReviewNotes:
    head: PeriodEvent | None  # the latest submission that came with a note
    director: PeriodEvent | None  # the latest return (a return always has a comment)
    returned: bool  # the proposal is back with the head: the return came last

    @property
    def return_pending(self) -> PeriodEvent | None:
        """The director's comment the head has not answered by submitting again."""
        return self.director if self.returned else None


def review_notes(period: BonusPeriod) -> ReviewNotes:
    """The current revision's latest head note and director comment (one query)."""
    events = list(
        PeriodEvent.objects.filter(
            period=period,
            revision=period.revision,
            action__in=[PeriodEvent.Action.SUBMIT, PeriodEvent.Action.RETURN],
        )
        .select_related("actor__employee")
        .order_by("-at", "-id")
    )
    head = next(
        (e for e in events if e.action == PeriodEvent.Action.SUBMIT and e.comment.strip()), None
    )
    director = next((e for e in events if e.action == PeriodEvent.Action.RETURN), None)
    returned = bool(events) and events[0].action == PeriodEvent.Action.RETURN
    return ReviewNotes(head=head, director=director, returned=returned)
