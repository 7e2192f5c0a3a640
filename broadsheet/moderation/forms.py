"""Form parsing for moderation views; what is valid is decided by the actions' checks."""

from __future__ import annotations

from django import forms

from broadsheet.core.text import FormText
from broadsheet.moderation.models import Report

BULK_ACTIONS = ("approve", "reject", "spam", "feature", "unfeature", "ban")


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect)
    note = FormText(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class QueueActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    comments = forms.TypedMultipleChoiceField(coerce=int, choices=())
    reason = FormText(single_line=True, max_length=300)

    def __init__(self, data: object, *, allowed: list[int]) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["comments"].choices = [(pk, pk) for pk in allowed]  # type: ignore[attr-defined]


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("ban", "Ban"), ("suspend", "Suspend"), ("shadow", "Shadow-ban")]
    )
    until = forms.DateTimeField(required=False)
    reason = FormText(single_line=True, max_length=300)


class NoteForm(forms.Form):
    text = FormText(required=True, max_length=2000)
