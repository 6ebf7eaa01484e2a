"""Logging in and out, and the user's own settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from extensions import db, limiter
from roles import audit, services
from roles.access import login_only, public
from roles.forms import LanguageForm, LoginForm, PasswordForm
from roles.models import User
from roles.signin import flow as signin
from roles.signin.sessions import safe_next as _safe_next

bp = Blueprint("roles", __name__)

#: Set in the session at logout: the login page then tells the device whose drafts to clear.
#: In the signed session, not the URL, so a link cannot make a tablet drop someone's notes.
CLEAR_DEVICE_OF = "clear_device_of"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Show the login form; log the user in (or go on to their second factor)."""
    if current_user.is_authenticated:
        return redirect(url_for("meetings.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    options = signin.login_options(form.next.data)
    locked = False
    if options.password_login and form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        if result.user is not None:
            return signin.continue_login(result.user, _safe_next(form.next.data))
        if result.locked_until:
            locked = True
            form.password.errors.append(
                _("Too many wrong attempts. Try again after %(time)s.", time=format_datetime(result.locked_until, "short"))
            )
        else:
            form.password.errors.append(_("The username or password is wrong."))
    if request.method == "POST" and not options.password_login:
        return render_template("roles/login.html", form=form, options=options), 403
    status = 429 if form.errors and locked else (400 if form.errors else 200)
    # Just logged out here: this device clears what it keeps of that person (and only theirs).
    clear_of = session.pop(CLEAR_DEVICE_OF, None) if request.method == "GET" else None
    return render_template("roles/login.html", form=form, options=options, clear_of=clear_of), status


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    """Log out, ending every session of this user on the server, and clear this device's drafts."""
    provider_logout = signin.provider_logout_url()  # read before the session is cleared
    # A cookie copied from a shared tablet must stop working too: bump the session version.
    services.end_all_sessions(current_user._get_current_object())
    audit.record("logout", purpose="login", user_id=current_user.id)
    return _logged_out(_("You are logged out."), provider_logout)


@bp.route("/logout-everywhere", methods=["POST"])
@login_only
def logout_everywhere():
    """End every session of the current user, on every device."""
    services.end_all_sessions(current_user._get_current_object())
    audit.record("logout.everywhere", purpose="login", user_id=current_user.id)
    return _logged_out(_("You are logged out on all devices."))


def _logged_out(message: str, provider_logout: str | None = None):
    """End the session here and go to the login page, which clears this person's drafts on the device."""
    user_id = current_user.id
    logout_user()
    session.clear()
    session[CLEAR_DEVICE_OF] = user_id
    if provider_logout:
        # Offered once on the login page: ending the municipality's sign-in is the person's choice.
        session[signin.PROVIDER_LOGOUT_KEY] = provider_logout
    flash(message, "info")
    return redirect(url_for("roles.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_only
def change_password():
    """Change one's password; every other session of the user ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not services.password_matches(current_user, form.current.data):
            form.current.errors.append(_("That is not your password now."))
        elif form.new.data != form.repeat.data:
            form.repeat.errors.append(_("The two new passwords are not the same."))
        else:
            user = current_user._get_current_object()  # the real User, not the proxy
            services.change_password(user, form.new.data)
            audit.record("password.changed", purpose="login", user_id=user.id)
            # This device stays logged in with the new session version; all others are out.
            login_user(user)
            flash(_("Your password is changed. You are logged out on all other devices."), "success")
            return redirect(url_for("meetings.dashboard"))
    return render_template("roles/password.html", form=form), (400 if form.errors else 200)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language and remember the choice."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.locale.data)
    return redirect(_safe_next(form.next.data))


@bp.route("/health")
@public
def health():
    """Answer a load balancer: one indexed query and a tiny template (also the benchmark's baseline)."""
    db.session.scalar(db.select(User.id).where(User.id == 1))
    return render_template("roles/health.html")
