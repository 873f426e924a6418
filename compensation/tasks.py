"""Background jobs of the bonus workflow: the e-mails and notices of a step, sent by the worker.

The services enqueue the job once their step has committed (``services._common.announce``),
so a slow or failing mail server costs the request nothing.
"""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from compensation import notices, notifications
from compensation.models import PeriodEvent


@task()
def send_period_event_mail(event_id: int, language: str) -> dict[str, int]:
    """E-mail the people one workflow step concerns, each in their own language, and
    give the staff whose month it is their notices (each sent once, however often this
    job runs).

    ``language`` is the language of who took the step: the fallback for text outside
    the messages (each message is written in its recipient's language).
    """
    event = PeriodEvent.objects.select_related(
        "period__department__head__user", "period__head__user"
    ).get(pk=event_id)
    with translation.override(language):
        sent = notifications.send_for_event(event)
        sent += notices.send_for_event(event)
    return {"sent": sent}
