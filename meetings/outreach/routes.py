"""Views of the outreach sub-area: the reply page (no login), the "to send" list, how people get messages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db, limiter
from kernel.bidi import bdi_message
from kernel.clock import local_today, utcnow
from meetings.consent.rules import may_receive
from meetings.followup.dashboard import user_courses
from meetings.models import ConsentScope, Course, MemberKind, NetworkMember
from meetings.outreach import contacts, links, lists, replies
from meetings.outreach.blueprint import bp
from meetings.outreach.forms import ContactForm, LinkForm, ReplyForm, StaffEmailForm
from meetings.outreach.models import Channel, ReplyLink
from roles import audit
from roles.access import login_only, public, requires
from roles.permissions import Action


def _field_error(form, field: str, message) -> None:
    target = getattr(form, field)
    target.errors = [*target.errors, message]


# --- the reply page: reachable without an account ---------------------------------------


def _reply_limit() -> str:
    return current_app.config["REPLY_RATE_LIMIT"]


def _audit_link(action: str, link: ReplyLink, detail: str | None = None) -> None:
    course = db.session.get(Course, link.agreement.course_id)
    audit.record(
        action,
        purpose="reply",
        course_id=link.agreement.course_id,
        citizen_id=course.citizen_id if course is not None else None,
        object_type="agreement",
        object_id=link.agreement_id,
        detail=detail,
    )


def _refused(refused: links.LinkRefused):
    db.session.rollback()
    if refused.link is not None:
        _audit_link("reply.refused", refused.link, detail=refused.reason)
        lang = refused.link.member.language.value
    else:
        audit.record("reply.unknown_link", purpose="reply")
        lang = None
    if lang:
        with force_locale(lang):
            return render_template("outreach/reply_refused.html", message=refused.message), refused.status
    return render_template("outreach/reply_refused.html", message=refused.message), refused.status


@bp.route("/reply/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_reply_limit)
def reply(token: str):
    """Show one person their own agreement and take their answer: done, more time, or a comment."""
    now = utcnow()
    try:
        link = links.check(token, now)
    except links.LinkRefused as refused:
        return _refused(refused)
    form = ReplyForm()
    status, answered = 200, None
    today = local_today(now)
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                answer = replies.check_answer(form.answer.data, form.until.data, form.comment.data, today)
                answered = replies.record_reply(link, answer, now)
            except replies.ReplyError as error:
                db.session.rollback()
                _field_error(form, error.field, error.message)
            except links.LinkRefused as refused:
                return _refused(refused)
            else:
                db.session.commit()
                _audit_link("reply.answered", link, detail=answered.answer.value)
                status, form = 200, ReplyForm(formdata=None)  # recorded: a clean form for anything to add
    else:
        _audit_link("reply.viewed", link)
    with force_locale(link.member.language.value):
        return render_template("outreach/reply.html", link=link, agreement=link.agreement, form=form, answered=answered, today=today), status


# --- the tovholder's list of what to send ------------------------------------------------------


def _followed_course_ids() -> list[int]:
    return [c.course.id for c in user_courses(current_user) if c.may(Action.FOLLOW_UP) and c.course.ended_at is None]


@bp.route("/to-send")
@login_only
def to_send():
    """Show the letters to print, the emails not delivered and what went lately, across the user's courses."""
    box = lists.outbox(_followed_course_ids(), utcnow())
    return render_template("outreach/to_send.html", box=box, staff_email=contacts.staff_email_of(current_user.id))


# --- how people get messages -----------------------------------------------------------------------


@bp.route("/members/<int:member_id>/messages", methods=["GET", "POST"])
@requires(Action.EDIT_NETWORK)
def member_contact(member_id: int):
    """Record how a person in the network wants agreements and reminders: email or a printed letter."""
    member = db.get_or_404(NetworkMember, member_id)
    if member.kind == MemberKind.TEAM or member.removed_at is not None:
        abort(404)
    pref = contacts.preference_of(member)
    if request.method == "POST":
        form = ContactForm()
        if form.validate_on_submit():
            try:
                channel = Channel(form.channel.data or "")
                contacts.set_preference(member, channel, form.email.data, utcnow())
            except ValueError as error:  # ContactError, or no channel chosen
                db.session.rollback()
                if isinstance(error, contacts.ContactError):
                    _field_error(form, error.field, error.message)
                else:
                    _field_error(form, "channel", _("Choose email or a printed letter."))
            else:
                db.session.commit()
                audit.record_in_course("member.contact_changed", member.course, purpose="network", object_type="member", object_id=member.id)
                flash(bdi_message(_("Saved: how %(name)s gets messages."), name=member.name), "success")
                return redirect(request.args.get("next") if _safe(request.args.get("next")) else url_for("meetings.network_map", course_id=member.course_id))
        status = 400
    else:
        form = ContactForm(data={"channel": pref.channel.value if pref else Channel.LETTER.value, "email": (pref.email or "") if pref else ""})
        status = 200
    consent = may_receive(member, ConsentScope.AGREEMENTS)
    return render_template("outreach/member_contact.html", member=member, course=member.course, form=form, consent=consent), status


def _safe(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//")


@bp.route("/my-email", methods=["GET", "POST"])
@login_only
def my_email():
    """Record (or remove) the address where the user gets the weekly overview of overdue agreements."""
    row = contacts.staff_email_of(current_user.id)
    form = StaffEmailForm() if request.method == "POST" else StaffEmailForm(data={"email": row.email if row else ""})
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = contacts.set_staff_email(current_user.id, form.email.data, utcnow())
        except contacts.ContactError as error:
            db.session.rollback()
            _field_error(form, error.field, error.message)
        else:
            db.session.commit()
            audit.record("staff_email.changed", purpose="messages", user_id=current_user.id)
            flash(_("Saved: the weekly overview goes to %(email)s.", email=saved.email) if saved else _("Saved: no weekly overview."), "success")
            return redirect(url_for("outreach.to_send"))
    return render_template("outreach/my_email.html", form=form), (400 if request.method == "POST" else 200)


# --- reply links ---------------------------------------------------------------------------------


@bp.route("/agreements/<int:agreement_id>/reply-links/revoke", methods=["POST"])
@requires(Action.FOLLOW_UP)
def revoke_link(agreement_id: int):
    """Withdraw a reply link at once (it was sent to the wrong address, say)."""
    form = LinkForm()
    try:
        link = links.link_of_agreement(agreement_id, int(form.link_id.data or 0))
    except ValueError:
        link = None
    if link is None or not form.validate_on_submit():
        abort(404)
    if links.revoke(link, utcnow(), current_user.id):
        db.session.commit()
        audit.record_in_course("reply_link.revoked", link.agreement.origin_meeting.course, purpose="follow-up", object_type="agreement", object_id=agreement_id)
    flash(_("The link is withdrawn. It no longer works."), "success")
    return redirect(url_for("meetings.agreement_follow_up", agreement_id=agreement_id, _anchor="messages"))
