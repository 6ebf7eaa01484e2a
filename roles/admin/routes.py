"""The administrator's pages (staff, grants, set-password links) and the public page a link opens."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db, limiter
from roles.access import public, requires_staff
from roles.admin import links, overview, rules
from roles.admin.forms import ConfirmForm, DetailsForm, GrantsForm, SetPasswordForm, StaffForm
from roles.admin.rules import AdminError
from roles.models import Grant, User
from roles.permissions import StaffAction

bp = Blueprint("admin", __name__)

ADMIN = StaffAction.ADMINISTER_STAFF


def _me() -> User:
    return current_user._get_current_object()  # the real User, not the proxy


def _grants(form) -> set[Grant]:
    return {g for g, on in ((Grant.ADMINISTRATOR, form.administrator.data), (Grant.STARTS_COURSES, form.starts_courses.data)) if on}


def _index(form: StaffForm | None = None, status: int = 200):
    return (
        render_template(
            "admin/index.html",
            staff=overview.staff_overview(),
            course_count=overview.course_count(),
            orphans=overview.courses_without_active_tovholder(),
            active_staff=overview.active_staff(),
            form=form or StaffForm(formdata=None),
            confirm=ConfirmForm(formdata=None),
        ),
        status,
    )


def _link_page(user: User, token: str, created: bool):
    link = overview.open_link(user)
    url = url_for("admin.set_password", token=token, _external=True)
    return render_template("admin/link.html", person=user, url=url, link=link, created=created), 201 if created else 200


@bp.route("/admin")
@requires_staff(ADMIN)
def index():
    """Show the staff, their grants and links, courses without a tovholder, and the form for a new person."""
    return _index()


@bp.route("/admin/staff", methods=["POST"])
@requires_staff(ADMIN)
def create_staff():
    """Create a staff member and show their one-time set-password link."""
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user, token = rules.create_staff(
                _me(), display_name=form.display_name.data, username=form.username.data, email=form.email.data, unit=form.unit.data,
                grants=_grants(form),
            )
        except AdminError as error:
            error.show_on(form, "display_name")
        else:
            return _link_page(user, token, created=True)
    return _index(form, 400)


def _person_page(user: User, details: DetailsForm | None = None, grants: GrantsForm | None = None, problem: str | None = None, status: int = 200):
    row = overview.staff_row(user)
    if grants is None:
        grants = GrantsForm(
            formdata=None, administrator=Grant.ADMINISTRATOR in row.grants, starts_courses=Grant.STARTS_COURSES in row.grants
        )
    details = details or DetailsForm(formdata=None, obj=user)
    page = render_template(
        "admin/person.html", row=row, person=user, details=details, grants=grants, confirm=ConfirmForm(formdata=None), problem=problem
    )
    return page, status


@bp.route("/admin/staff/<int:user_id>")
@requires_staff(ADMIN)
def person(user_id: int):
    """Show one staff member: details, grants, link, and what can be done with the account."""
    return _person_page(db.get_or_404(User, user_id))


@bp.route("/admin/staff/<int:user_id>", methods=["POST"])
@requires_staff(ADMIN)
def update_person(user_id: int):
    """Change a staff member's name, email and team/unit."""
    user = db.get_or_404(User, user_id)
    form = DetailsForm()
    if form.validate_on_submit():
        try:
            rules.update_details(user, _me(), display_name=form.display_name.data, email=form.email.data, unit=form.unit.data)
        except AdminError as error:
            db.session.rollback()
            error.show_on(form, "display_name")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.person", user_id=user.id))
    return _person_page(user, details=form, status=400)


@bp.route("/admin/staff/<int:user_id>/grants", methods=["POST"])
@requires_staff(ADMIN)
def set_grants(user_id: int):
    """Give or take what a staff member may do outside courses (administrator, starting courses)."""
    user = db.get_or_404(User, user_id)
    form = GrantsForm()
    if form.validate_on_submit():
        try:
            changed = rules.set_grants(user, _grants(form), _me())
        except AdminError as error:
            return _person_page(user, grants=form, problem=error.message, status=400)
        flash(_("Saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("admin.person", user_id=user.id))
    return _person_page(user, grants=form, status=400)


def _account_action(user_id: int, action: Callable[[User, User], object], done: Callable[[User], str]):
    """Run one account action behind a button; a refusal stays on the person's page with its reason."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return _person_page(user, status=400)
    try:
        action(user, _me())
    except AdminError as error:
        db.session.rollback()
        return _person_page(user, problem=error.message, status=400)
    flash(done(user), "success")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.route("/admin/staff/<int:user_id>/deactivate", methods=["POST"])
@requires_staff(ADMIN)
def deactivate(user_id: int):
    """Deactivate a staff member: every session of theirs ends at once."""
    return _account_action(user_id, rules.deactivate, lambda u: _("%(name)s is deactivated and logged out everywhere.", name=u.display_name))


@bp.route("/admin/staff/<int:user_id>/reactivate", methods=["POST"])
@requires_staff(ADMIN)
def reactivate(user_id: int):
    """Let a deactivated staff member log in again."""
    return _account_action(user_id, rules.reactivate, lambda u: _("%(name)s can log in again.", name=u.display_name))


@bp.route("/admin/staff/<int:user_id>/unlock", methods=["POST"])
@requires_staff(ADMIN)
def unlock(user_id: int):
    """Lift the hold that wrong passwords put on an account."""
    return _account_action(user_id, rules.unlock, lambda u: _("%(name)s can try to log in again at once.", name=u.display_name))


@bp.route("/admin/staff/<int:user_id>/link/revoke", methods=["POST"])
@requires_staff(ADMIN)
def revoke_link(user_id: int):
    """Take back a staff member's open set-password link."""
    return _account_action(user_id, rules.revoke_links, lambda u: _("The link for %(name)s no longer works.", name=u.display_name))


@bp.route("/admin/staff/<int:user_id>/link", methods=["POST"])
@requires_staff(ADMIN)
def new_link(user_id: int):
    """Make a new set-password link for a staff member (the earlier one stops working) and show it."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return _person_page(user, status=400)
    try:
        token = rules.issue_link(user, _me())
    except AdminError as error:
        return _person_page(user, problem=error.message, status=400)
    return _link_page(user, token, created=False)


# --- the page a link opens: no login, throttled, audited -------------------------------------


def _link_limit() -> str:
    return current_app.config["SET_PASSWORD_RATE_LIMIT"]


def _refused(problem: links.LinkProblem, token: str):
    links.record_refused(problem, token)
    status = 404 if problem == links.LinkProblem.UNKNOWN else 410
    return render_template("admin/link_refused.html", problem=problem.value), status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_link_limit)
def set_password(token: str):
    """Let a staff member set their password with the one-time link an administrator gave them."""
    try:
        link = links.check_link(token)
    except links.LinkRefused as error:
        return _refused(error.problem, token)
    form = SetPasswordForm()
    if not form.is_submitted():
        links.record_opened(link)
        return render_template("admin/set_password.html", form=form, person=link.user, token=token)
    if form.validate_on_submit():
        try:
            user = links.set_password_by_link(token, form.new.data, form.repeat.data)
        except links.LinkRefused as error:
            return _refused(error.problem, token)
        except AdminError as error:
            error.show_on(form, "new")
        else:
            flash(_("Your password is set. Log in with your username %(username)s.", username=user.username), "success")
            return redirect(url_for("roles.login"))
    return render_template("admin/set_password.html", form=form, person=link.user, token=token), 400
