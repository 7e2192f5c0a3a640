"""Forms of the account pages: they parse input; the actions validate and decide."""

from __future__ import annotations

from django import forms

from broadsheet.accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH
from broadsheet.core.text import FormText


class ProfileForm(forms.Form):
    display_name = FormText(
        single_line=True,
        strip=True,
        label="Display name",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown with your comments instead of your username.",
    )
    bio = FormText(
        strip=True,
        label="About you",
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A few words, at most {BIO_MAX_LENGTH} characters.",
    )
    avatar = forms.FileField(
        label="Picture",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
        help_text="JPEG, PNG, WebP or GIF, up to 2 MB. It is cropped square and stored "
        "without its metadata (camera, place, date).",
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
