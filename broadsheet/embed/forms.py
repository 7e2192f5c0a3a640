from __future__ import annotations

from typing import Any

from django import forms

from broadsheet.embed.models import ApiToken, EmbeddingSite


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100)
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple, initial=["read"]
    )
    site = forms.ModelChoiceField(
        queryset=EmbeddingSite.objects.all(),
        required=False,
        help_text="A site token acts only on that site's discussions",
    )

    def __init__(self, *args: Any, allow_sites: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_sites:
            del self.fields["site"]
