from __future__ import annotations

from django import forms

from broadsheet.notifications.models import Subscription


class SubscribeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (Subscription.Kind.THREAD.value, Subscription.Kind.THREAD.label),
            (Subscription.Kind.REPLIES.value, Subscription.Kind.REPLIES.label),
        ],
        required=False,
    )
    email = forms.CharField(max_length=254, required=False)
    next = forms.CharField(max_length=2000, required=False)

    def values(self) -> dict[str, str]:
        """What the reader sent, cleaned when valid, raw otherwise (errors come from the
        action, which checks everything)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "kind": str(data.get("kind") or self.data.get("kind", "")),
            "email": str(data.get("email") or "")[:254],
            "next": str(data.get("next") or ""),
        }
