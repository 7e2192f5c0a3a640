"""Form parsing for the HTML views. Forms carry values and refuse only what no text or id
may hold (core.text, core.ids: the same boundary as the API's schemas); what is valid
beyond that is decided by the actions' check_* functions. Both kinds of error (with their
field) are shown next to the fields and keep the reader's text."""

from __future__ import annotations

from django import forms

from broadsheet.core.errors import ActionError
from broadsheet.core.ids import FormId
from broadsheet.core.text import FormText

VOTE_VALUES = {"1": 1, "-1": -1, "0": 0, "up": 1, "down": -1, "none": 0}


class CheckedForm(forms.Form):
    """A form whose field errors answer as the actions' do (one ActionError, its field)."""

    CHECKED: tuple[str, ...] = ()

    def check(self) -> None:
        """Raise the first refusal among the CHECKED fields (in their order), if any."""
        for name in self.CHECKED:
            if name in self.errors:
                raise ActionError(str(self.errors[name][0]), field=name)


class CommentForm(CheckedForm):
    CHECKED = ("body", "name", "email", "website", "parent", "anchor_quote")

    body = FormText()
    name = FormText(single_line=True, max_length=500)
    email = FormText(single_line=True, max_length=500)
    website = FormText(single_line=True, max_length=2000)
    parent = FormId(required=False)
    next = forms.CharField(required=False, max_length=2000)
    sort = forms.CharField(required=False, max_length=10)
    # Anti-bot fields (broadsheet.moderation.rules.honeypot): a honeypot and the signed
    # time the form was rendered.
    homepage = forms.CharField(required=False, max_length=2000)
    rendered = forms.CharField(required=False, max_length=200)
    # A guest's "Remember my name and e-mail on this device" (discussion.guests).
    remember = forms.BooleanField(required=False)

    def antispam(self) -> tuple[str, str | None]:
        """(honeypot, rendered_at) for do_post_comment: the honeypot as sent ("" when
        empty), the render stamp or None when the form carried none."""
        return (
            str(self.data.get("homepage", "") or ""),
            str(self.data.get("rendered") or "") or None,
        )

    # Inline feedback: the passage the comment is about (see anchors.py).
    anchor_kind = forms.CharField(required=False, max_length=10)
    anchor_block_id = forms.CharField(required=False, max_length=64)
    anchor_quote = FormText(max_length=5000)
    anchor_start = forms.CharField(required=False, max_length=12)
    anchor_end = forms.CharField(required=False, max_length=12)

    def values(self) -> dict[str, str]:
        """What the reader typed, to put back into the form after an error."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        values = {
            key: str(data.get(key) or self.data.get(key, "") or "")
            for key in ("body", "name", "email", "website")
        }
        values["remember"] = "1" if self.data.get("remember") else ""
        return values

    def anchor_values(self) -> dict[str, str]:
        """The anchor fields as posted (parsed and checked by the actions)."""
        return {
            key: str(self.data.get(f"anchor_{key}", "") or "")
            for key in ("kind", "block_id", "quote", "start", "end")
        }


class EditForm(CheckedForm):
    CHECKED = ("body",)

    body = FormText()

    def body_as_sent(self) -> str:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return str(data.get("body") or self.data.get("body", "") or "")


def parse_edit_form(data: object) -> EditForm:
    form = EditForm(data)  # type: ignore[arg-type]
    form.is_valid()
    return form


def parse_comment_form(data: object) -> CommentForm:
    form = CommentForm(data)  # type: ignore[arg-type]
    form.is_valid()
    return form


def parse_vote(raw: str | None) -> int:
    """+1, -1 or 0 from a button value; 99 (refused by the action) when unknown."""
    return VOTE_VALUES.get(raw or "", 99)
