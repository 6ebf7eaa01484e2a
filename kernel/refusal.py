"""The one way a rule says no: a message for the person, and the form field it is about."""

from __future__ import annotations


class Refusal(ValueError):
    """A rule was broken; `message` says why in the person's language, `field` names the form field (or None).

    Views show `message` next to `field` (or at the top of the form) and keep what was typed.
    Areas subclass it only where a view answers a refusal differently (a closed meeting: 409).
    """

    def __init__(self, message, field: str | None = None) -> None:
        # The text (for logs and tests) names the field too: "planned_at: Choose a time…".
        super().__init__(f"{field}: {message}" if field else str(message))
        self.message = message
        self.field = field

    def show_on(self, form, fallback: str) -> None:
        """Put the message next to the field it is about in a WTForms form (or the `fallback` field)."""
        target = getattr(form, self.field or fallback, None) or getattr(form, fallback)
        target.errors = [*target.errors, self.message]
