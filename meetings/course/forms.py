"""Forms for the course, its network and the citizen's goals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from kernel.forms import Form
from kernel.input import MaxChars
from meetings.models import Closeness, GoalKind, Language, MemberKind, NetworkMember


class MemberForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Write the person's name.")), MaxChars(200)])
    kind = SelectField(
        _l("Part of the network"),
        choices=[SelectChoice(MemberKind.PRIVATE.value, _l("Private network")), SelectChoice(MemberKind.PROFESSIONAL.value, _l("Professional"))],
    )
    relation = StringField(_l("How they know the citizen"), validators=[Optional(), MaxChars(200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), MaxChars(200)])
    mandate = TextAreaField(_l("What they may decide (mandate)"), validators=[Optional(), MaxChars(2000)])
    contact = StringField(_l("How they want to be contacted"), validators=[Optional(), MaxChars(300)])
    closeness = SelectField(
        _l("Closeness"),
        choices=[SelectChoice(c.value, c.title) for c in Closeness],
        default=Closeness.MIDDLE.value,
    )
    language = SelectField(_l("Language"), choices=[SelectChoice(lang.value, lang.title) for lang in Language], default="da")

    @classmethod
    def for_member(cls, member: NetworkMember) -> MemberForm:
        """Return the form filled in with how the member is described now."""
        return cls(
            data={
                "name": member.name,
                "kind": member.kind.value,
                "relation": member.relation,
                "organisation": member.organisation or "",
                "mandate": member.mandate or "",
                "contact": member.contact or "",
                "closeness": member.closeness.value,
                "language": member.language.value,
            }
        )

    def values(self) -> dict:
        """Return what was typed as the network rules take it (the one form ↔ model mapping)."""
        return {
            "kind": MemberKind(self.kind.data),
            "name": self.name.data,
            "relation": self.relation.data or "",
            "organisation": self.organisation.data,
            "mandate": self.mandate.data,
            "contact": self.contact.data,
            "closeness": Closeness(self.closeness.data),
            "language": Language(self.language.data),
        }


class GoalForm(Form):
    goal_id = HiddenField()
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, k.title) for k in GoalKind], default=GoalKind.GOAL.value)
    text = TextAreaField(
        _l("In the citizen's own words"),
        validators=[DataRequired(message=_l("Write the goal, hope or dream in the citizen's own words.")), MaxChars(2000)],
    )


class RemoveGoalForm(Form):
    goal_id = HiddenField()
