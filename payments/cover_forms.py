"""Forms for handing clients over: for an absence (one colleague, or spread), or one client."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE
from payments.models import Client


def client_field(client: Client) -> str:
    return f"client_{client.pk}"


class CoverForm(forms.Form):
    """One colleague per client of the absent person; the page suggests them spread.

    The colleagues are read once for every client's choice (plain choices, not one
    query per field).
    """

    def __init__(
        self, *args: Any, clients: list[Client], colleagues: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.clients = clients
        self.people = {str(person.pk): person for person in colleagues}
        choices = [(pk, str(person)) for pk, person in self.people.items()]
        keys = list(self.people)
        for index, client in enumerate(clients):
            self.fields[client_field(client)] = forms.ChoiceField(
                label=client.name,
                choices=choices,
                initial=keys[index % len(keys)] if keys else None,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def cover(self) -> dict[Client, Any]:
        return {
            client: self.people[self.cleaned_data[client_field(client)]] for client in self.clients
        }


class HandoverForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Hand over to"), queryset=None)
    on = forms.DateField(label=_("From"), widget=DATE)
    until = forms.DateField(
        label=_("To"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty to hand the client over for good."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, people: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = people
        self.helper = FormHelper()
        self.helper.form_tag = False
