from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from broadsheet.api.models import ApiToken

# The embedding sites, reached through the token's relation (the API does not import
# the embed app).
_Site = ApiToken._meta.get_field("site").related_model


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    site = forms.ModelChoiceField(
        queryset=_Site._default_manager.all(),  # type: ignore[union-attr]
        label=pgettext_lazy("embedding site", "Site"),
        required=False,
        help_text=gettext_lazy("A site token acts only on that site's discussions"),
    )

    def __init__(self, *args: Any, allow_sites: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_sites:
            del self.fields["site"]
