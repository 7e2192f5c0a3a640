"""Form parsing for moderation views; what is valid is decided by the actions' checks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from broadsheet.core.text import FormText
from broadsheet.moderation.models import Report

BULK_ACTIONS = ("approve", "reject", "spam", "feature", "unfeature", "dismiss", "ban", "sanction")
# Sanctions ask first: how long and why ("ban" with a reason is an answer already).
SANCTION_ACTIONS = ("ban", "sanction")
# An editor's pick asks why first, unless the card's reason box says it.
PICK_ACTIONS = ("feature", "unfeature")
DURATIONS = [
    ("1", gettext_lazy("1 day")),
    ("3", gettext_lazy("3 days")),
    ("7", gettext_lazy("1 week")),
    ("30", gettext_lazy("30 days")),
    ("ban", gettext_lazy("For good (a ban, until lifted)")),
]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect)
    note = FormText(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class QueueActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    comments = forms.TypedMultipleChoiceField(coerce=int, choices=())
    reason = FormText(single_line=True, max_length=300)
    notify = forms.BooleanField(required=False)
    duration = forms.ChoiceField(choices=DURATIONS, required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, data: object, *, allowed: list[int]) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["comments"].choices = [(pk, pk) for pk in allowed]  # type: ignore[attr-defined]

    @property
    def sanction_ready(self) -> bool:
        """A sanction may be applied: confirmed with a duration and a reason (or the old
        one-step "ban" with a reason)."""
        data = self.cleaned_data
        if not data["reason"].strip():
            return False
        return data["action"] == "ban" or bool(data["confirmed"] and data["duration"])

    def sanction_end(self) -> datetime | None:
        """When the suspension ends; None for a ban."""
        duration = self.cleaned_data.get("duration") or "ban"
        if self.cleaned_data["action"] == "ban" or duration == "ban":
            return None
        return timezone.now() + timedelta(days=int(duration))


class CloseForm(forms.Form):
    reason = FormText(single_line=True, max_length=300)


class DecisionForm(forms.Form):
    """Approve or reject one held comment from the article page (restore one rejected),
    or feature / unfeature a published one there."""

    action = forms.ChoiceField(
        choices=[(verb, verb) for verb in ("approve", "reject", *PICK_ACTIONS)]
    )
    reason = FormText(single_line=True, max_length=300)
    notify = forms.BooleanField(required=False)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("ban", pgettext_lazy("noun", "Ban")),
            ("suspend", gettext_lazy("Suspend")),
            ("shadow", pgettext_lazy("noun", "Shadow-ban")),
        ]
    )
    until = forms.DateTimeField(required=False)
    reason = FormText(single_line=True, max_length=300)


class NoteForm(forms.Form):
    text = FormText(required=True, max_length=2000)
