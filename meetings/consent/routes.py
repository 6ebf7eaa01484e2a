"""The consent register: what the citizen agrees may be shared with whom; giving and withdrawing it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from kernel.bidi import bdi_message
from kernel.refusal import Refusal
from kernel.web import is_partial_request, page_or_partial
from meetings.blueprint import bp
from meetings.consent import rules as consent_rules
from meetings.consent.forms import ConsentForm, WithdrawForm
from meetings.course import network as network_rules
from meetings.models import ConsentScope, Course, NetworkMember
from roles.access import requires
from roles.permissions import Action


def _consent_page(course_id: int, failed: tuple[int, str, ConsentForm] | None = None, status: int = 200):
    register = consent_rules.consent_register(course_id)
    summary_sharing = consent_rules.sharing(course_id, ConsentScope.SUMMARY)
    context = {"register": register, "failed": failed, "summary_sharing": summary_sharing}
    # A refused form shows the whole page again, with every field as it was typed.
    return page_or_partial(
        "consent/consent.html", "consent/_consent_register.html", status, partial_allowed=request.method == "GET", **context
    )


@bp.route("/courses/<int:course_id>/consent")
@requires(Action.VIEW_COURSE)
def consent_register(course_id: int):
    """Show what the citizen agrees may be shared with whom, and under which circumstances."""
    db.get_or_404(Course, course_id)
    return _consent_page(course_id)


@bp.route("/members/<int:member_id>/consent", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def give_consent(member_id: int):
    """Record the citizen's consent to share something with this person."""
    member = db.get_or_404(NetworkMember, member_id)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            circumstances = consent_rules.circumstances_from_choice(form.applies.data, form.circumstances.data)
            consent_rules.give_consent(member, ConsentScope(form.scope.data), circumstances, current_user)
        except Refusal as error:
            error.show_on(form, "circumstances")
            if not network_rules.editable(member):
                # This person has no row in the register to show the message next to.
                flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(bdi_message(_("The consent for %(name)s is recorded."), name=member.name), "success")
            return redirect(url_for("meetings.consent_register", course_id=member.course_id, _anchor=f"consent-{member.id}"))
    return _consent_page(member.course_id, failed=(member.id, form.scope.data, form), status=400)


@bp.route("/members/<int:member_id>/consent/withdraw", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def withdraw_consent(member_id: int):
    """Withdraw the citizen's consent for this person at once: one step."""
    member = db.get_or_404(NetworkMember, member_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    consent_rules.withdraw_consents(member, ConsentScope(form.scope.data))
    db.session.commit()
    if is_partial_request():
        register = consent_rules.consent_register(member.course_id)
        return render_template("consent/_consent_member.html", register=register, member=member, failed=None, withdrawn=True)
    flash(bdi_message(_("The consent for %(name)s is withdrawn."), name=member.name), "success")
    return redirect(url_for("meetings.consent_register", course_id=member.course_id, _anchor=f"consent-{member.id}"))
