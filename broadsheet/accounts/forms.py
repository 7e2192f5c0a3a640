"""Forms of the account pages: they parse input; the actions validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from broadsheet.accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH
from broadsheet.core.text import FormText


class ProfileForm(forms.Form):
    display_name = FormText(
        single_line=True,
        strip=True,
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("Shown with your comments instead of your username."),
    )
    bio = FormText(
        strip=True,
        label=_("About you"),
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(_("A few words, at most {limit} characters."), limit=BIO_MAX_LENGTH),
    )
    avatar = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
        help_text=_(
            "JPEG, PNG, WebP or GIF, up to 2 MB. It is cropped square and stored "
            "without its metadata (camera, place, date)."
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture"), required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
