"""Forms of questions on a statement: the question, and a message on it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.models import StatementLine
from compensation.workflow_forms import text_field


class AskForm(forms.Form):
    line = forms.ChoiceField(
        label=_("About the line"),
        choices=[("", "—"), *StatementLine.choices],
        error_messages={"required": _("Choose the line of the statement you ask about.")},
    )
    text = text_field(_("Your question"), rows=3)


class MessageForm(forms.Form):
    """A message with a step: required to answer or ask again, optional to pass or close."""

    text = text_field(_("Message"), required=False, rows=3)
